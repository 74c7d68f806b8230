import { z } from 'zod'

/**
 * Integers from outside (paths, query strings, bodies, action params, settings) bounded to the
 * columns they land in: ids and integer fields are PostgreSQL `integer` (int4), which refuses
 * 2^31 with an error. Refused at the edge instead, with the field named.
 */
export const int4Max = 2 ** 31 - 1
export const int4Min = -(2 ** 31)

/** An integer an int4 column holds. */
export const int4 = z
  .number()
  .int()
  .min(int4Min, `must be an integer from ${int4Min} to ${int4Max}`)
  .max(int4Max, `must be an integer from ${int4Min} to ${int4Max}`)

const idMessage = `must be an id from 1 to ${int4Max}`

/** A row id: 1 to 2^31 - 1. */
export const rowId = z.number().int().min(1, idMessage).max(int4Max, idMessage)

/** A row id in a path or query string, where it arrives as text. */
export const rowIdParam = z.coerce.number().int().min(1, idMessage).max(int4Max, idMessage)
