import { defineConfig } from 'vite'

/**
 * The server's bundle (`npm run build:server`, which `npm start` runs) and the sandbox worker's
 * (`build:sandbox`); the dashboard has its own, web/vite.config.ts. Built for memory: V8 keeps
 * the source of every module it loads, and a long-running server loads these once.
 */
export default defineConfig({
  ssr: {
    // The ES-module dependencies loaded at start go into the bundle, which keeps only what the
    // server uses of them (not zod's 60 locales nor kysely's MySQL and MSSQL dialects): about
    // 3 MiB less heap than loading their files. fastify-type-provider-zod comes along so that
    // there is one zod, whose schemas it reads.
    noExternal: ['zod', 'fastify-type-provider-zod', 'kysely', 'diff'],
  },
  build: {
    rolldownOptions: {
      output: {
        comments: false,
        // ASCII only: one character outside Latin-1 (a `…` in a message) makes V8 keep the whole
        // source two bytes a character. Not minified otherwise, so stack traces stay readable.
        minify: { compress: false, mangle: false, codegen: { removeWhitespace: false, asciiOnly: true } },
      },
    },
  },
})
