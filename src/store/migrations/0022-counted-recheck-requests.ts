import { sql, type Kysely } from 'kysely'

/**
 * `proposals.recheck_requested` becomes a count: a re-check under the proposal's lock (which
 * writes nothing to take it) answers the requests it read and clears the count only when no
 * more came meanwhile. The takeover's index follows (any count, not only 1).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('proposals_recheck_requested').execute()
  await db.schema
    .createIndex('proposals_recheck_requested')
    .on('proposals')
    .column('id')
    .where(sql<boolean>`recheck_requested > 0 and status = 'proposed'`)
    .execute()
}
