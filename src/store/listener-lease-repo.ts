import { sql, type Kysely } from 'kysely'
import type { Database } from './database.ts'
import type { ListenerLeaseRepo } from './store.ts'

export function createListenerLeaseRepo(db: Kysely<Database>): ListenerLeaseRepo {
  return {
    async hold(name, holder, now, leaseMs) {
      // One statement: a new lease, this holder's own renewed, or one whose holder let it run out taken over.
      const row = await db
        .insertInto('listener_leases')
        .values({ name, holder, expires_at: now + leaseMs })
        .onConflict((oc) =>
          oc
            .column('name')
            .doUpdateSet({ holder: sql<string>`excluded.holder`, expires_at: sql<number>`excluded.expires_at` })
            .where((eb) =>
              eb.or([eb('listener_leases.holder', '=', holder), eb('listener_leases.expires_at', '<=', now)]),
            ),
        )
        .returning('holder')
        .executeTakeFirst()
      return row !== undefined
    },

    async release(name, holder) {
      await db.deleteFrom('listener_leases').where('name', '=', name).where('holder', '=', holder).execute()
    },

    async holderOf(name, now) {
      const row = await db
        .selectFrom('listener_leases')
        .select('holder')
        .where('name', '=', name)
        .where('expires_at', '>', now)
        .executeTakeFirst()
      return row?.holder ?? null
    },
  }
}
