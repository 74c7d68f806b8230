import type { Kysely } from 'kysely'

/**
 * The question of a vote PolicyKit hosts (`constitution.initiateVote`), so the dashboard can
 * show it: its text, and its options as a JSON array of strings (null: a yes/no vote).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('proposals').addColumn('vote_text', 'text').execute()
  await db.schema.alterTable('proposals').addColumn('vote_options', 'text').execute()
}
