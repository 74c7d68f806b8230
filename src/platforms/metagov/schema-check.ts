import { z } from 'zod'
import type { JsonObject } from '../../domain/json.ts'

/**
 * The problems of `value` against a plugin's JSON Schema (as the gateway publishes it), each as
 * `<path>: <message>`; empty when it conforms. A schema zod cannot read is treated as "any object".
 */
export function schemaProblems(schema: JsonObject | null | undefined, value: unknown): string[] {
  if (schema === null || schema === undefined) {
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? [] : ['must be an object']
  }
  let validator: z.ZodType
  try {
    // The gateway's schemas are plain JSON Schema objects; zod reads them as they are.
    validator = z.fromJSONSchema(schema)
  } catch {
    return []
  }
  const parsed = validator.safeParse(value)
  if (parsed.success) {
    return []
  }
  return parsed.error.issues.map((issue) => {
    const where = issue.path.map(String).join('.')
    const message =
      issue.code === 'unrecognized_keys'
        ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`
        : issue.message
    return where ? `${where}: ${message}` : message
  })
}
