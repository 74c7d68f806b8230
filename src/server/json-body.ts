import type { FastifyInstance } from 'fastify'
import { checkJsonDepth } from '../domain/json-depth.ts'

/**
 * Replaces Fastify's JSON body parser with one that first refuses bodies nested deeper than
 * `maxJsonDepth` (400 `invalid_input`), then parses as Fastify does (prototype poisoning
 * refused). Bodies are parsed before authentication, so this holds for anonymous requests too,
 * and the depth check is one linear pass: no recursion, no blocked event loop.
 */
export function useBoundedJsonParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error')
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8')
    try {
      checkJsonDepth(text)
    } catch (e) {
      done(e instanceof Error ? e : new Error(String(e)), undefined)
      return
    }
    // Fastify's own parser calls `done` itself; it returns nothing to wait for.
    void parseJson(request, text, done)
  })
}
