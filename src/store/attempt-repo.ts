import { sql, type Kysely } from 'kysely'
import type { Database } from './database.ts'
import type { AttemptRepo } from './store.ts'

export function createAttemptRepo(db: Kysely<Database>): AttemptRepo {
  return {
    async count(key, windowMs, now) {
      // One statement: a new row, a new window over an ended one, or one more in the current one.
      const ended = sql<boolean>`attempt_windows.ends_at <= ${now}`
      const row = await db
        .insertInto('attempt_windows')
        .values({ key, attempts: 1, ends_at: now + windowMs })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet({
            attempts: sql<number>`case when ${ended} then 1 else attempt_windows.attempts + 1 end`,
            ends_at: sql<number>`case when ${ended} then excluded.ends_at else attempt_windows.ends_at end`,
          }),
        )
        .returning(['attempts', 'ends_at'])
        .executeTakeFirstOrThrow()
      return { attempts: row.attempts, endsAt: row.ends_at }
    },

    async clear(key) {
      await db.deleteFrom('attempt_windows').where('key', '=', key).execute()
    },

    async removeEnded(now) {
      const result = await db.deleteFrom('attempt_windows').where('ends_at', '<=', now).executeTakeFirst()
      return Number(result.numDeletedRows)
    },
  }
}
