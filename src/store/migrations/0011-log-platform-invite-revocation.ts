import { sql, type Kysely } from 'kysely'

/**
 * Invites revoked by a member who manages members: `revoked_at`, and the link stops working.
 *
 * The platform a log line is about, so the community's log can be filtered by platform: the
 * platform of its action, or (for a line with no action, such as a Slack uninstall) the
 * `platform` its details name. Filled in for the lines already there.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('evaluation_logs').addColumn('platform', 'text').execute()
  await sql`update evaluation_logs set platform = (select a.platform from actions a where a.id = evaluation_logs.action_id) where action_id is not null`.execute(
    db,
  )
  await db.schema
    .createIndex('evaluation_logs_platform')
    .on('evaluation_logs')
    .columns(['community_id', 'platform', 'id'])
    .execute()
  await db.schema.alterTable('invites').addColumn('revoked_at', 'bigint').execute()
}
