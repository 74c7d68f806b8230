import { sql, type Kysely } from 'kysely'

/**
 * When an action entered `executing` or `reverting` (epoch ms; null in any other state), so that
 * one a crash left there (after the platform call, before the outcome was written) can be found
 * and tried again. Actions already in those states have no known time: 0 makes them overdue.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('actions').addColumn('execution_claimed_at', 'bigint').execute()
  await sql`update actions set execution_claimed_at = 0 where execution_state in ('executing', 'reverting')`.execute(db)
  // Only claimed actions are indexed: a handful at any time, however large the table grows.
  await db.schema
    .createIndex('actions_execution_claimed')
    .on('actions')
    .column('execution_claimed_at')
    .where('execution_claimed_at', 'is not', null)
    .execute()
}
