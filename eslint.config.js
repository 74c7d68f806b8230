import js from '@eslint/js'
import tseslint from 'typescript-eslint'

const layer = (files, patterns) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { patterns }] },
})

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'test-artifacts/', 'web/dist/'] },
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
  {
    files: ['bin/**/*.js', 'eslint.config.js', 'web/vite.config.ts'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: 'readonly', URL: 'readonly' },
    },
  },
)
