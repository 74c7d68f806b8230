import { sql, type Kysely } from 'kysely'
import { nameKey } from '../../domain/names.ts'

/**
 * `documents.name_key` and `policies.name_key`: the name as people tell names apart
 * (`nameKey`: `Charter` and ` charter` are one name), kept beside it and indexed with the
 * community, so that the check that an active document's or policy's name is free reads the
 * rows of that name, not every active one's. Filled here for the rows there are.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of ['documents', 'policies'] as const) {
    await db.schema
      .alterTable(table)
      .addColumn('name_key', 'text', (c) => c.notNull().defaultTo(''))
      .execute()
    const { rows } = await sql<{ id: number; name: string }>`select id, name from ${sql.table(table)}`.execute(db)
    for (const row of rows) {
      await sql`update ${sql.table(table)} set name_key = ${nameKey(row.name)} where id = ${row.id}`.execute(db)
    }
    await db.schema.createIndex(`${table}_name_key`).on(table).columns(['community_id', 'name_key']).execute()
  }
}
