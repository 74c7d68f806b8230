import type { Kysely } from 'kysely'
import type { DeliveryClaim, DeliveryLedger } from '../platform-ports.ts'

/** `platform_deliveries` (migration 0010): one row per webhook delivery being handled or handled. */
export interface DeliveriesTable {
  platform: string
  community_id: number
  delivery_id: string
  /** When the current handling started (or the last one, once done). */
  received_at: number
  state: 'handling' | 'done'
}

/** Platforms retry a delivery for about an hour (Slack: at once, after 1 minute, after 5 minutes). */
const keepMs = 60 * 60_000

/**
 * A handling that has not finished after this long is taken to have died with its process (a
 * handling answers within the platform's deadline, or goes on alone for a few seconds): a retry
 * takes it over. Running it twice is safe: the engine makes one action per event id.
 */
export const staleHandlingMs = 30_000

/**
 * The delivery ledger of one platform over its table. A receipt left `handling` for longer than
 * `staleHandlingMs` is taken over by the next delivery; receipts older than an hour are dropped
 * as new ones come.
 */
export function deliveryLedger(
  db: Kysely<{ platform_deliveries: DeliveriesTable }>,
  platform: string,
  now: () => number,
): DeliveryLedger {
  const scoped = (communityId: number, deliveryId: string) =>
    db
      .updateTable('platform_deliveries')
      .where('platform', '=', platform)
      .where('community_id', '=', communityId)
      .where('delivery_id', '=', deliveryId)
  return {
    async claim(communityId, deliveryId): Promise<DeliveryClaim> {
      const at = now()
      await db
        .deleteFrom('platform_deliveries')
        .where('platform', '=', platform)
        .where('community_id', '=', communityId)
        .where('received_at', '<', at - keepMs)
        .execute()
      const inserted = await db
        .insertInto('platform_deliveries')
        .values({ platform, community_id: communityId, delivery_id: deliveryId, received_at: at, state: 'handling' })
        .onConflict((oc) => oc.columns(['platform', 'community_id', 'delivery_id']).doNothing())
        .executeTakeFirst()
      if ((inserted.numInsertedOrUpdatedRows ?? 0n) > 0n) {
        return 'claimed'
      }
      // One conditional update: of two retries racing for a stale receipt, one takes it.
      const taken = await scoped(communityId, deliveryId)
        .set({ received_at: at })
        .where('state', '=', 'handling')
        .where('received_at', '<', at - staleHandlingMs)
        .executeTakeFirst()
      if (taken.numUpdatedRows > 0n) {
        return 'claimed'
      }
      const receipt = await db
        .selectFrom('platform_deliveries')
        .select('state')
        .where('platform', '=', platform)
        .where('community_id', '=', communityId)
        .where('delivery_id', '=', deliveryId)
        .executeTakeFirst()
      return receipt?.state === 'done' ? 'done' : 'busy'
    },
    async finish(communityId, deliveryId) {
      await scoped(communityId, deliveryId).set({ state: 'done' }).execute()
    },
    async release(communityId, deliveryId) {
      await db
        .deleteFrom('platform_deliveries')
        .where('platform', '=', platform)
        .where('community_id', '=', communityId)
        .where('delivery_id', '=', deliveryId)
        .execute()
    },
  }
}

/**
 * Runs `work` for one delivery unless it was or is being handled: marks it done when `work`
 * succeeds, lets it go when `work` throws so that the platform's retry runs it again. What the
 * claim found is returned, for the caller's log.
 */
export async function handleOnce(
  ledger: DeliveryLedger,
  communityId: number,
  deliveryId: string,
  work: () => Promise<void>,
): Promise<DeliveryClaim> {
  const claim = await ledger.claim(communityId, deliveryId)
  if (claim !== 'claimed') {
    return claim
  }
  try {
    await work()
  } catch (e) {
    await ledger.release(communityId, deliveryId)
    throw e
  }
  await ledger.finish(communityId, deliveryId)
  return claim
}
