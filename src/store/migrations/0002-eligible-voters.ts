import type { Kysely } from 'kysely'

/**
 * Who may vote on a proposal: a JSON array of member ids, set when a vote is initiated with a
 * restriction; null means any member of the community.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('proposals').addColumn('eligible_voters', 'text').execute()
}
