import { sql, type Kysely } from 'kysely'

type Dialect = 'sqlite' | 'postgres'

/**
 * The platform kit's records, one pair of tables for every platform instead of Slack's own
 * (0005): `platform_deliveries`, the webhook deliveries (event ids, clicks) being handled or
 * handled, so a redelivery runs nothing twice (`state` is `handling` until the handling
 * succeeded, then `done`); `platform_echoes`, calls PolicyKit is about to make whose events must
 * not come back as members' actions, each row consumed by the one event it expects. The rows of
 * Slack's tables are carried over as the `slack` platform's, and those tables dropped.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const id = dialect === 'postgres' ? 'serial' : 'integer'
  await db.schema
    .createTable('platform_echoes')
    .addColumn('id', id, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('community_id', 'integer', (c) => c.notNull().references('communities.id').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('platform_echoes_key')
    .on('platform_echoes')
    .columns(['platform', 'community_id', 'key'])
    .execute()

  await db.schema
    .createTable('platform_deliveries')
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('community_id', 'integer', (c) => c.notNull().references('communities.id').onDelete('cascade'))
    .addColumn('delivery_id', 'text', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('handling'))
    .addPrimaryKeyConstraint('platform_deliveries_pk', ['platform', 'community_id', 'delivery_id'])
    .execute()
  await db.schema
    .createIndex('platform_deliveries_received')
    .on('platform_deliveries')
    .columns(['platform', 'community_id', 'received_at'])
    .execute()

  // In id order, so the oldest record of a key is still taken first.
  await sql`
    insert into platform_echoes (platform, community_id, key, created_at)
    select 'slack', community_id, key, created_at from slack_echoes order by id`.execute(db)
  await sql`
    insert into platform_deliveries (platform, community_id, delivery_id, received_at, state)
    select 'slack', community_id, event_id, received_at, state from slack_event_receipts`.execute(db)
  await db.schema.dropTable('slack_echoes').execute()
  await db.schema.dropTable('slack_event_receipts').execute()
}
