import type { Kysely } from 'kysely'
import type { ListenerState } from '../platform-ports.ts'

/** `listener_state` (migration 0021). */
export interface ListenerStateTable {
  name: string
  value: string
  updated_at: number
}

/** One platform's listener state over its table, named `<platform>:<listener>`: the last value set wins. */
export function listenerState(
  db: Kysely<{ listener_state: ListenerStateTable }>,
  platform: string,
  now: () => number,
): ListenerState {
  const nameOf = (listener: string) => `${platform}:${listener}`
  return {
    async get(listener) {
      const row = await db
        .selectFrom('listener_state')
        .select('value')
        .where('name', '=', nameOf(listener))
        .executeTakeFirst()
      return row?.value ?? null
    },
    async set(listener, value) {
      const name = nameOf(listener)
      if (value === null) {
        await db.deleteFrom('listener_state').where('name', '=', name).execute()
        return
      }
      await db
        .insertInto('listener_state')
        .values({ name, value, updated_at: now() })
        .onConflict((oc) => oc.column('name').doUpdateSet({ value, updated_at: now() }))
        .execute()
    },
  }
}
