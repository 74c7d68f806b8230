import { readFileSync } from 'node:fs'
import { validateSchema } from '../slack/json-schema.ts'
import type { Schema } from '../slack/json-schema.ts'

/** Discord's REST v10 spec (the subset the fake implements, test/fixtures/discord/README.md). */
const spec: Schema = JSON.parse(
  readFileSync(new URL('../../fixtures/discord/openapi-subset.json', import.meta.url), 'utf8'),
) as Schema

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

function resolve(node: unknown): Record<string, unknown> {
  if (isObject(node) && typeof node.$ref === 'string') {
    const target = node.$ref
      .replace(/^#\//, '')
      .split('/')
      .reduce<unknown>((at, key) => (isObject(at) ? at[key] : undefined), spec)
    return resolve(target)
  }
  if (!isObject(node)) {
    throw new Error('the spec has no such node')
  }
  return node
}

/**
 * Where `value`, answered by `method path` with `status`, departs from the spec's schema for that
 * answer (`4XX` covers the client errors it names no code for); empty when it matches.
 */
export function specProblems(path: string, method: string, status: number, value: unknown): string[] {
  const paths = resolve(spec.paths)
  const operation = resolve(resolve(paths[path])[method.toLowerCase()])
  const responses = resolve(operation.responses)
  const response = responses[String(status)] ?? (status >= 400 && status < 500 ? responses['4XX'] : undefined)
  if (response === undefined) {
    return [`${method} ${path}: the spec names no ${status} answer`]
  }
  const content = resolve(response).content
  if (!isObject(content)) {
    return value === null || value === '' ? [] : [`${method} ${path} ${status}: the spec says no body`]
  }
  const schema = resolve(resolve(content['application/json']).schema)
  return validateSchema(value, schema, spec)
}
