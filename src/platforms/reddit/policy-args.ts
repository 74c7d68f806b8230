import type { z } from 'zod'
import type { JsonValue } from '../../domain/json.ts'
import { AppError } from '../../errors.ts'

/** A policy function's argument parsed with `schema`, or an `invalid_input` naming the function. */
export function parseArgs<T>(name: string, schema: z.ZodType<T>, arg: JsonValue | undefined): T {
  const parsed = schema.safeParse(arg ?? {})
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message))
    throw new AppError('invalid_input', `reddit.${name}: ${issues.join('; ')}`)
  }
  return parsed.data
}
