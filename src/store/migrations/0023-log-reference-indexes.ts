import type { Kysely } from 'kysely'

/**
 * `evaluation_logs` refers to actions and proposals, and each reference gets an index that
 * starts with it. Without one, SQLite checks the foreign keys of an INSERT … RETURNING into
 * `actions` or `proposals` (which it treats as a write of many rows) by reading every log line,
 * on every new action and proposal: a cost that grew with the log. The proposal's index needs no
 * community before it (a proposal's lines are all its community's), so it replaces the old one;
 * the action's is new, and serves the log of one action too.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('evaluation_logs_proposal').execute()
  await db.schema.createIndex('evaluation_logs_proposal').on('evaluation_logs').columns(['proposal_id', 'id']).execute()
  await db.schema.createIndex('evaluation_logs_action').on('evaluation_logs').columns(['action_id', 'id']).execute()
}
