import type { Kysely } from 'kysely'

type Dialect = 'sqlite' | 'postgres'

/**
 * `platform_cursors`: where a platform's poller got to (Reddit: the newest post, comment and
 * mod-queue item seen in a subreddit), one value per platform, community and key, so that a
 * restart, or another process taking the poller over, resumes there instead of starting again.
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('platform_cursors')
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('community_id', 'integer', (c) => c.notNull().references('communities.id').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('platform_cursors_pk', ['platform', 'community_id', 'key'])
    .execute()
}
