import { z } from 'zod'

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue }

export type JsonObject = { [key: string]: JsonValue }

/** Whether a value is plain JSON: what `JSON.parse` can give. Iterative, so deep nesting cannot overflow the stack. */
export function isJsonValue(value: unknown): value is JsonValue {
  const pending: unknown[] = [value]
  while (pending.length > 0) {
    const next = pending.pop()
    if (next === null || typeof next === 'string' || typeof next === 'boolean') {
      continue
    }
    if (typeof next === 'number') {
      if (!Number.isFinite(next)) {
        return false
      }
      continue
    }
    if (Array.isArray(next)) {
      pending.push(...(next as unknown[]))
      continue
    }
    if (typeof next !== 'object' || Object.getPrototypeOf(next) !== Object.prototype) {
      return false
    }
    pending.push(...Object.values(next as Record<string, unknown>))
  }
  return true
}

/**
 * Any JSON value. Not zod's recursive `z.json()`: a recursive schema becomes a self-referencing
 * type that client generators turn into TypeScript that does not compile, while "anything" is
 * exactly what a JSON value is in a JSON document (`{}` in JSON Schema).
 */
export const jsonValueSchema = z.custom<JsonValue>(isJsonValue, { message: 'must be a JSON value' })
