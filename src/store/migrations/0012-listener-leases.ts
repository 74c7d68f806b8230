import type { Kysely } from 'kysely'

/**
 * Leases on the background listeners that must run in one process at a time across every
 * PolicyKit process on the database (a platform's gateway connection, a poller): one row per
 * listener, naming the process that holds it and until when.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('listener_leases')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute()
}
