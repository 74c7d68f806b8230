import type { Generated, Kysely } from 'kysely'
import type { EchoRecords } from '../platform-ports.ts'

/** `platform_echoes` (migration 0010). */
export interface EchoesTable {
  id: Generated<number>
  platform: string
  community_id: number
  key: string
  created_at: number
}

/**
 * A record whose event never came (the platform dropped it, or the app is not subscribed to it)
 * is dropped after a day, so it cannot hide a member doing the same thing much later.
 */
const keepMs = 24 * 60 * 60_000

/**
 * The expected echoes of one platform's calls. Identity, not a time window: a member who does
 * the same thing a second after PolicyKit is still governed.
 */
export function echoRecords(
  db: Kysely<{ platform_echoes: EchoesTable }>,
  platform: string,
  now: () => number,
): EchoRecords {
  const take = async (communityId: number, key: string) => {
    const oldest = db
      .selectFrom('platform_echoes')
      .select('id')
      .where('platform', '=', platform)
      .where('community_id', '=', communityId)
      .where('key', '=', key)
      .orderBy('id')
      .limit(1)
    // Two deliveries racing for one record: only the one whose delete removed it gets true.
    const result = await db
      .deleteFrom('platform_echoes')
      .where('community_id', '=', communityId)
      .where('id', '=', oldest)
      .executeTakeFirst()
    return result.numDeletedRows > 0n
  }
  return {
    async record(communityId, key) {
      const at = now()
      await db
        .deleteFrom('platform_echoes')
        .where('platform', '=', platform)
        .where('community_id', '=', communityId)
        .where('created_at', '<', at - keepMs)
        .execute()
      await db
        .insertInto('platform_echoes')
        .values({ platform, community_id: communityId, key, created_at: at })
        .execute()
    },
    async forget(communityId, key) {
      await take(communityId, key)
    },
    take,
  }
}

/**
 * Makes a platform call whose events will come back naming someone else (the author, not
 * PolicyKit): records the echoes first, so a webhook or poll racing the answer finds them, and
 * forgets them when the call fails, since no event is coming then.
 */
export async function expectingEchoes<T>(
  echoes: EchoRecords,
  communityId: number,
  keys: readonly string[],
  call: () => Promise<T>,
): Promise<T> {
  for (const key of keys) {
    await echoes.record(communityId, key)
  }
  try {
    return await call()
  } catch (e) {
    for (const key of keys) {
      await echoes.forget(communityId, key)
    }
    throw e
  }
}
