import type { JsonValue } from '../domain/json.ts'
import { AppError } from '../errors.ts'
import type { HostFunction } from './sandbox.ts'

/** The text a host call hands back to the guest's stub: `u`, `v<json>` or `e<message>`. */
export function encodeValue(value: JsonValue | undefined): string {
  return value === undefined ? 'u' : `v${JSON.stringify(value)}`
}

/** An AppError reaches the author with its message; anything else is hidden. */
function encodeError(path: string, e: unknown): string {
  return e instanceof AppError ? `e${e.message}` : `einternal error in ${path}`
}

/** The arguments a guest stub passed (JSON text the guest's own `JSON.stringify` made). */
const parseJson: (text: string) => JsonValue = JSON.parse

function parseArgs(args: string): JsonValue[] {
  try {
    const parsed = parseJson(args)
    return Array.isArray(parsed) ? parsed : []
  } catch {
    return []
  }
}

/**
 * Performs one host call for a guest on the main thread and gives its encoded outcome: at once
 * when the function answers synchronously, else when its promise settles. Never rejects.
 */
export function performHostCall(path: string, fn: HostFunction, args: string, answer: (encoded: string) => void): void {
  let value: ReturnType<HostFunction>
  try {
    value = fn(...parseArgs(args))
  } catch (e) {
    answer(encodeError(path, e))
    return
  }
  if (value instanceof Promise) {
    value.then(
      (settled) => answer(encodeValue(settled)),
      (e: unknown) => answer(encodeError(path, e)),
    )
    return
  }
  answer(encodeValue(value))
}
