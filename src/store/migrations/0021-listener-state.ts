import type { Kysely } from 'kysely'

/**
 * `listener_state`: what a `once` listener must hand to the process that takes its lease over,
 * one value per listener (Discord's gateway: its session id, the last sequence handled and where
 * to resume), so that the new holder resumes the connection instead of starting again, and the
 * platform replays what happened while no process held it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('listener_state')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute()
}
