import type { Kysely } from 'kysely'

/**
 * Attempts counted in fixed windows, shared by every process on the database: sign-in attempts
 * per username and per address, and the one set-up allowed at a time. One row per key, updated
 * by a single atomic upsert, so concurrent attempts cannot both read a count below the limit.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('attempt_windows')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('ends_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('attempt_windows_ends_at').on('attempt_windows').column('ends_at').execute()
}
