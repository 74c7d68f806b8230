import { sql, type Kysely, type SelectQueryBuilder } from 'kysely'
import type { z } from 'zod'
import type { JsonObject } from '../domain/json.ts'
import { nameKey } from '../domain/names.ts'
import type { Database } from './database.ts'
import type { Named } from './store.ts'

/**
 * A table's columns, for statements that read whole rows: named one by one rather than `*`, so
 * that a prepared statement keeps its columns when a migration adds one (`pg-client.ts`). Every
 * column of the table, and only those, as the keys of `columns`.
 */
export function columnsOf<Table>(columns: Record<keyof Table & string, true>): readonly string[] {
  return Object.keys(columns)
}

/**
 * Reading stored JSON back. A row that does not parse is data corruption, not a caller's
 * mistake, so it throws a plain Error naming the table, row and column for the operator.
 */
export function parseJsonText(table: string, id: number, column: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch (e) {
    throw new Error(`corrupt row: ${table} ${id}, column ${column} is not valid JSON`, { cause: e })
  }
}

/** Objects are only checked to be objects: their contents are free-form (params, settings). */
export function parseJsonObject(table: string, id: number, column: string, text: string): JsonObject {
  const value = parseJsonText(table, id, column, text)
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`corrupt row: ${table} ${id}, column ${column} is not a JSON object`)
  }
  return value as JsonObject
}

export function parseJsonObjectOrNull(
  table: string,
  id: number,
  column: string,
  text: string | null,
): JsonObject | null {
  return text === null ? null : parseJsonObject(table, id, column, text)
}

/** For JSON whose shape the code relies on (policy blocks, variables, permissions). */
export function parseJsonAs<T extends z.ZodType>(
  table: string,
  id: number,
  column: string,
  text: string,
  schema: T,
): z.infer<T> {
  const result = schema.safeParse(parseJsonText(table, id, column, text))
  if (!result.success) {
    throw new Error(`corrupt row: ${table} ${id}, column ${column}: ${result.error.message}`, { cause: result.error })
  }
  return result.data
}

/** Narrows a stored string to one of the values the code writes. */
export function parseEnum<T extends string>(
  table: string,
  id: number,
  column: string,
  value: string,
  allowed: readonly T[],
): T {
  const found = allowed.find((a) => a === value)
  if (found === undefined) {
    throw new Error(`corrupt row: ${table} ${id}, column ${column} has unknown value ${JSON.stringify(value)}`)
  }
  return found
}

/** A unique or primary-key violation, in either dialect's driver. */
export function isUniqueViolation(e: unknown): boolean {
  if (typeof e !== 'object' || e === null || !('code' in e)) {
    return false
  }
  const { code } = e
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
}

export const flag = (value: boolean): number => (value ? 1 : 0)

/** List pages: newest first, older than `beforeId` when paging on, at most `limit` (100). */
export function newestFirst<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  page: { beforeId?: number; limit?: number },
): SelectQueryBuilder<DB, TB, O> {
  const id = sql.ref<number>('id')
  const older = page.beforeId === undefined ? query : query.where(id, '<', page.beforeId)
  return older.orderBy(id, 'desc').limit(page.limit ?? 100)
}

/**
 * The active rows of the community whose name is `name` as people tell names apart (`nameKey`),
 * by the index on the key: for the check that names differ. A row without a key (written by a
 * version before migration 0024 while both ran) is told by its name.
 */
export async function activeNamed(
  db: Kysely<Database>,
  table: 'documents' | 'policies',
  communityId: number,
  name: string,
): Promise<Named[]> {
  const key = nameKey(name)
  const rows = await db
    .selectFrom(table)
    .select(['id', 'name', 'name_key'])
    .where('community_id', '=', communityId)
    .where('name_key', 'in', [key, ''])
    .where('active', '=', 1)
    .orderBy('id')
    .execute()
  return rows.filter((row) => row.name_key === key || nameKey(row.name) === key).map(({ id, name }) => ({ id, name }))
}
