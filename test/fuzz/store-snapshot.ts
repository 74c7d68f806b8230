import { sql } from 'kysely'
import type { Store } from '../../src/store/store.ts'

/**
 * Columns a refused request may change without changing anything: an API token's last use is
 * stamped when the token authenticates, before the route refuses.
 */
const volatileColumns = new Set(['api_tokens.last_used_at'])

/** Tables refused requests write to on purpose: sign-in and set-up attempts are counted before they are checked. */
const bookkeepingTables = new Set(['attempt_windows'])

export type StoreSnapshot = Record<string, string[]>

/**
 * A function that reads every row of every table of the store (migration bookkeeping aside),
 * as sorted JSON lines per table: two snapshots are equal exactly when nothing was written in
 * between. The tables are listed once.
 */
export async function storeSnapshotter(store: Store): Promise<() => Promise<StoreSnapshot>> {
  const schema =
    store.dialect === 'postgres'
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(store.db)).rows[0]?.schema
      : undefined
  const tables = (await store.db.introspection.getTables())
    .filter(
      (t) =>
        !t.name.startsWith('kysely_') &&
        !bookkeepingTables.has(t.name) &&
        (schema === undefined || t.schema === schema),
    )
    .map((t) => t.name)
    .sort()
  const readTable = async (table: string): Promise<string[]> => {
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(store.db)
    return rows
      .map((row) =>
        JSON.stringify(
          Object.fromEntries(Object.entries(row).filter(([column]) => !volatileColumns.has(`${table}.${column}`))),
          (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value),
        ),
      )
      .sort()
  }
  return async () => {
    const rows = await Promise.all(tables.map(readTable))
    return Object.fromEntries(tables.map((table, i) => [table, rows[i] ?? []]))
  }
}
