import { readFileSync } from 'node:fs'
import { type Schema, validateSchema } from '../slack/json-schema.ts'

/**
 * Discourse's published OpenAPI description (3.1; the routes the fake serves, test/fixtures/discourse): the fake checks every answer it gives on a
 * route the file describes against the response schema there, so the fake cannot drift from what
 * Discourse sends. Routes the file lacks (`/about.json`, recover) are described in the reference
 * notes and are shaped by hand.
 */
const specPath = new URL('../../fixtures/discourse/openapi-subset.json', import.meta.url)

let loaded: Schema | undefined
function spec(): Schema {
  loaded ??= JSON.parse(readFileSync(specPath, 'utf8')) as Schema
  return loaded
}

/** Problems with answering `route` (the spec's path template) with `body` and `status`; empty when it fits or the spec has no schema for it. */
export function checkAnswer(method: string, route: string, status: number, body: unknown): string[] {
  const paths = spec().paths as Record<string, Record<string, { responses?: Record<string, unknown> }>>
  const operation = paths[route]?.[method.toLowerCase()]
  const response = operation?.responses?.[String(status)] as
    { content?: Record<string, { schema?: Schema }> } | undefined
  const schema = response?.content?.['application/json']?.schema
  if (!schema) {
    return []
  }
  return validateSchema(body, schema, spec()).map((problem) => `${method} ${route} ${status}: ${problem}`)
}
