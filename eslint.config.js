import js from '@eslint/js'
import tseslint from 'typescript-eslint'

const layer = (files, patterns, ignores = []) => ({
  files,
  ignores,
  rules: { 'no-restricted-imports': ['error', { patterns }] },
})

const escape = (text) => text.replace(/[.]/g, '\\.')

/**
 * What a file `up` (`../`, `../../`) below src/platforms/ may import: the contract, the kit,
 * domain/ and errors.ts, and its own folder. The constitution, which changes PolicyKit's own
 * data, is also handed the store and the sandbox (constitution-deps.ts).
 */
const platformImports = (up, { handedStore = false } = {}) => [
  {
    regex: `^${escape(up)}\\.\\./(?!domain/|errors\\.ts$|store/store\\.ts$|sandbox/sandbox\\.ts$)`,
    message: 'a platform imports the contract, the kit, domain/ and errors.ts: no engine, server or app module',
  },
  {
    regex: `^${escape(up)}(?!\\.\\./|kit/|platform(-ports|-http)?\\.ts$)`,
    message: 'a platform imports the contract (platform*.ts) and the kit, never another platform',
  },
  ...(handedStore
    ? []
    : [
        {
          regex: `^${escape(up)}\\.\\./(store|sandbox)/`,
          message: 'a platform reaches PolicyKit through its ports, never the store or the sandbox',
        },
      ]),
]

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'test-artifacts/', 'web/dist/', 'web/dist-*/', 'build/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', name: ['describe', 'it', 'test', 'suite'], package: 'node:test' },
          ],
        },
      ],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      curly: 'error',
      eqeqeq: 'error',
      'no-console': 'error',
    },
  },
  layer(
    ['src/domain/**'],
    [{ group: ['../*', '!../errors.ts'], message: 'domain/ imports nothing of ours but errors.ts' }],
  ),
  layer(
    ['src/store/**', 'src/sandbox/**'],
    [
      {
        group: ['**/engine/*', '**/platforms/*', '**/server/*', '**/scheduler/*'],
        message: 'store and sandbox know only domain/',
      },
    ],
  ),
  layer(
    ['src/engine/**'],
    [
      {
        group: ['**/server/*', '**/platforms/*/**', '**/main.ts'],
        message: 'the engine knows interfaces, never a concrete platform or the server',
      },
    ],
  ),
  // The contract is a leaf: platforms and the app meet there, and it knows neither.
  layer(
    ['src/platforms/platform.ts', 'src/platforms/platform-ports.ts', 'src/platforms/platform-http.ts'],
    [
      {
        regex: '^\\.\\./(?!domain/|errors\\.ts$)|^\\./(?!platform(-ports|-http)?\\.ts$)',
        message: 'the platform contract imports only domain/, errors.ts and itself',
      },
    ],
  ),
  // A platform is its folder: it knows the contract, the kit, domain/ and errors.ts, never the
  // store, the engine, the server nor another platform. So does the kit, which platforms share.
  layer(['src/platforms/*/*.ts'], platformImports('../'), ['src/platforms/constitution/**']),
  layer(['src/platforms/*/*/**'], platformImports('../../'), ['src/platforms/constitution/**']),
  layer(['src/platforms/constitution/*.ts'], platformImports('../', { handedStore: true })),
  layer(['src/platforms/constitution/*/**'], platformImports('../../', { handedStore: true })),
  {
    files: ['bin/**/*.js', 'eslint.config.js', 'vite.config.ts', 'web/vite.config.ts'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: 'readonly', URL: 'readonly' },
    },
  },
)
