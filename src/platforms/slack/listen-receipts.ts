import type { Kysely } from 'kysely'
import type { Store } from '../../store/store.ts'

interface SlackEventReceiptsTable {
  community_id: number
  event_id: string
  /** When the current handling started (or the last one, once done). */
  received_at: number
  state: 'handling' | 'done'
}

/** Slack retries a delivery for about an hour (at once, after 1 minute, after 5 minutes). */
const keepMs = 60 * 60_000

/**
 * A handling that has not finished after this long is taken to have died with its process (a
 * handling answers within Slack's 3 s, or goes on alone for a few seconds): a retry takes it
 * over. Running it twice is safe: the engine makes one action per event id.
 */
export const staleHandlingMs = 30_000

function receipts(store: Store): Kysely<{ slack_event_receipts: SlackEventReceiptsTable }> {
  return store.db.withTables<{ slack_event_receipts: SlackEventReceiptsTable }>()
}

/**
 * What a delivery found: `claimed` (handle it, then `finishEvent`), `done` (handled already: do
 * nothing) or `busy` (another delivery is handling it right now: do nothing, it will finish).
 */
export type EventClaim = 'claimed' | 'done' | 'busy'

/**
 * Claims an event id (or another key that names one delivery, such as a click's trigger id) for
 * handling. A receipt left `handling` for longer than `staleHandlingMs` is taken over. Old
 * receipts are dropped here.
 */
export async function claimEvent(store: Store, communityId: number, eventId: string, now: number): Promise<EventClaim> {
  const db = receipts(store)
  await db
    .deleteFrom('slack_event_receipts')
    .where('community_id', '=', communityId)
    .where('received_at', '<', now - keepMs)
    .execute()
  const inserted = await db
    .insertInto('slack_event_receipts')
    .values({ community_id: communityId, event_id: eventId, received_at: now, state: 'handling' })
    .onConflict((oc) => oc.columns(['community_id', 'event_id']).doNothing())
    .executeTakeFirst()
  if ((inserted.numInsertedOrUpdatedRows ?? 0n) > 0n) {
    return 'claimed'
  }
  // One conditional update: of two retries racing for a stale receipt, one takes it.
  const taken = await db
    .updateTable('slack_event_receipts')
    .set({ received_at: now })
    .where('community_id', '=', communityId)
    .where('event_id', '=', eventId)
    .where('state', '=', 'handling')
    .where('received_at', '<', now - staleHandlingMs)
    .executeTakeFirst()
  if (taken.numUpdatedRows > 0n) {
    return 'claimed'
  }
  const receipt = await db
    .selectFrom('slack_event_receipts')
    .select('state')
    .where('community_id', '=', communityId)
    .where('event_id', '=', eventId)
    .executeTakeFirst()
  return receipt?.state === 'done' ? 'done' : 'busy'
}

/** The handling succeeded: later deliveries of the event do nothing. */
export async function finishEvent(store: Store, communityId: number, eventId: string): Promise<void> {
  await receipts(store)
    .updateTable('slack_event_receipts')
    .set({ state: 'done' })
    .where('community_id', '=', communityId)
    .where('event_id', '=', eventId)
    .execute()
}

/** Handling failed: let Slack's retry of this event run again. */
export async function releaseEvent(store: Store, communityId: number, eventId: string): Promise<void> {
  await receipts(store)
    .deleteFrom('slack_event_receipts')
    .where('community_id', '=', communityId)
    .where('event_id', '=', eventId)
    .execute()
}

/**
 * Runs `work` for one delivery unless it was or is being handled (`claimEvent`): marks it done
 * when `work` succeeds, lets it go when `work` throws so that Slack's retry runs it again. What
 * the claim found is returned, for the caller's log.
 */
export async function handleOnce(
  store: Store,
  communityId: number,
  key: string,
  now: number,
  work: () => Promise<void>,
): Promise<EventClaim> {
  const claim = await claimEvent(store, communityId, key, now)
  if (claim !== 'claimed') {
    return claim
  }
  try {
    await work()
  } catch (e) {
    await releaseEvent(store, communityId, key)
    throw e
  }
  await finishEvent(store, communityId, key)
  return claim
}
