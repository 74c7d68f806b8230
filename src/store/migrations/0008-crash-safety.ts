import { sql, type Kysely } from 'kysely'

/**
 * Taking over a dead process's work in seconds. Each lease and claim names its holder (the
 * process's owner id) so that a live holder renews all of its own in one statement per
 * heartbeat, and one that stops renewing is taken over once its short lease runs out:
 * `proposals.lease_owner`, `actions.execution_claimed_by`. `actions.execution_key` and
 * `execution_tries` record an execute or revert before its platform call (the idempotency key
 * the platform is handed, and how many times it was claimed), so a retry knows it is one.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('proposals').addColumn('lease_owner', 'text').execute()
  await db.schema.alterTable('actions').addColumn('execution_claimed_by', 'text').execute()
  await db.schema.alterTable('actions').addColumn('execution_key', 'text').execute()
  await db.schema
    .alterTable('actions')
    .addColumn('execution_tries', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()
  // The takeover scan and the heartbeat look only at held or flagged rows: a handful at any time.
  await db.schema
    .createIndex('proposals_held')
    .on('proposals')
    .column('lease_owner')
    .where(sql<boolean>`lease_token is not null`)
    .execute()
  await db.schema
    .createIndex('proposals_recheck_requested')
    .on('proposals')
    .column('id')
    .where(sql<boolean>`recheck_requested = 1 and status = 'proposed'`)
    .execute()
}
