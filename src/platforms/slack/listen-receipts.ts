import type { Kysely } from 'kysely'
import type { Store } from '../../store/store.ts'

interface SlackEventReceiptsTable {
  community_id: number
  event_id: string
  received_at: number
}

/** Slack retries a delivery for about an hour (at once, after 1 minute, after 5 minutes). */
const keepMs = 60 * 60_000

function receipts(store: Store): Kysely<{ slack_event_receipts: SlackEventReceiptsTable }> {
  return store.db.withTables<{ slack_event_receipts: SlackEventReceiptsTable }>()
}

/**
 * Claims an event id for handling: false when a delivery of it (a retry, or the same event
 * arriving twice at once) was or is being handled already. Old receipts are dropped here.
 */
export async function claimEvent(store: Store, communityId: number, eventId: string, now: number): Promise<boolean> {
  const db = receipts(store)
  await db
    .deleteFrom('slack_event_receipts')
    .where('community_id', '=', communityId)
    .where('received_at', '<', now - keepMs)
    .execute()
  const inserted = await db
    .insertInto('slack_event_receipts')
    .values({ community_id: communityId, event_id: eventId, received_at: now })
    .onConflict((oc) => oc.columns(['community_id', 'event_id']).doNothing())
    .executeTakeFirst()
  return (inserted.numInsertedOrUpdatedRows ?? 0n) > 0n
}

/** Handling failed: let Slack's retry of this event run again. */
export async function releaseEvent(store: Store, communityId: number, eventId: string): Promise<void> {
  await receipts(store)
    .deleteFrom('slack_event_receipts')
    .where('community_id', '=', communityId)
    .where('event_id', '=', eventId)
    .execute()
}
