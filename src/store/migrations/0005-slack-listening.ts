import type { Kysely } from 'kysely'

type Dialect = 'sqlite' | 'postgres'

/**
 * What Slack's listener remembers between deliveries. `slack_echoes`: calls PolicyKit is about to
 * make whose events must not come back as new actions (a rename, an invite, a pin), each row
 * consumed by the one event it expects. `slack_event_receipts`: event ids (and button clicks) being
 * handled or handled, so a retried delivery runs nothing twice (kept about an hour, Slack's retry
 * horizon); `state` is `handling` until the handling succeeded, then `done`.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const id = dialect === 'postgres' ? 'serial' : 'integer'
  await db.schema
    .createTable('slack_echoes')
    .addColumn('id', id, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('community_id', 'integer', (c) => c.notNull().references('communities.id').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('slack_echoes_key').on('slack_echoes').columns(['community_id', 'key']).execute()

  await db.schema
    .createTable('slack_event_receipts')
    .addColumn('community_id', 'integer', (c) => c.notNull().references('communities.id').onDelete('cascade'))
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('handling'))
    .addPrimaryKeyConstraint('slack_event_receipts_pk', ['community_id', 'event_id'])
    .execute()
  await db.schema
    .createIndex('slack_event_receipts_received')
    .on('slack_event_receipts')
    .columns(['community_id', 'received_at'])
    .execute()
}
