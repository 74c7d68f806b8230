import type { Kysely } from 'kysely'
import type { Cursors } from '../platform-ports.ts'

/** `platform_cursors` (migration 0015). */
export interface CursorsTable {
  platform: string
  community_id: number
  key: string
  value: string
  updated_at: number
}

/** One platform's poller cursors over their table: the last value set for a key wins. */
export function cursors(db: Kysely<{ platform_cursors: CursorsTable }>, platform: string, now: () => number): Cursors {
  return {
    async get(communityId, key) {
      const row = await db
        .selectFrom('platform_cursors')
        .select('value')
        .where('platform', '=', platform)
        .where('community_id', '=', communityId)
        .where('key', '=', key)
        .executeTakeFirst()
      return row?.value ?? null
    },
    async set(communityId, key, value) {
      await db
        .insertInto('platform_cursors')
        .values({ platform, community_id: communityId, key, value, updated_at: now() })
        .onConflict((oc) => oc.columns(['platform', 'community_id', 'key']).doUpdateSet({ value, updated_at: now() }))
        .execute()
    },
  }
}
