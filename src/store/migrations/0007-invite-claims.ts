import type { Kysely } from 'kysely'

/**
 * Claim links: an invite that gives an existing member (made by the CLI, imported from a
 * platform) a dashboard account instead of making a new member. Null for an ordinary invite.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('invites')
    .addColumn('for_member_id', 'integer', (c) => c.references('members.id').onDelete('cascade'))
    .execute()
}
