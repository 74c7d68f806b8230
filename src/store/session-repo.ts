import type { Kysely, Selectable } from 'kysely'
import type { Session } from '../domain/user.ts'
import type { Database, SessionsTable } from './database.ts'
import type { SessionRepo } from './store.ts'
import { toUser } from './user-repo.ts'

function toSession(row: Selectable<SessionsTable>): Session {
  return {
    id: row.id,
    userId: row.user_id,
    csrfToken: row.csrf_token,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  }
}

export function createSessionRepo(db: Kysely<Database>): SessionRepo {
  return {
    async create({ userId, tokenHash, csrfToken, now, expiresAt }) {
      const row = await db
        .insertInto('sessions')
        .values({
          user_id: userId,
          token_hash: tokenHash,
          csrf_token: csrfToken,
          created_at: now,
          expires_at: expiresAt,
        })
        .returningAll()
        .executeTakeFirstOrThrow()
      return toSession(row)
    },

    async find(tokenHash, now) {
      const row = await db
        .selectFrom('sessions')
        .innerJoin('users', 'users.id', 'sessions.user_id')
        .selectAll('sessions')
        .select(['users.username', 'users.display_name', 'users.created_at as user_created_at'])
        .where('sessions.token_hash', '=', tokenHash)
        .where('sessions.expires_at', '>', now)
        .executeTakeFirst()
      return (
        row && {
          session: toSession(row),
          user: toUser({
            id: row.user_id,
            username: row.username,
            display_name: row.display_name,
            created_at: row.user_created_at,
          }),
        }
      )
    },

    async remove(sessionId) {
      await db.deleteFrom('sessions').where('id', '=', sessionId).execute()
    },

    async removeOthers(userId, keepSessionId) {
      const result = await db
        .deleteFrom('sessions')
        .where('user_id', '=', userId)
        .where('id', '!=', keepSessionId)
        .executeTakeFirst()
      return Number(result.numDeletedRows)
    },

    async removeExpired(now) {
      const result = await db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst()
      return Number(result.numDeletedRows)
    },
  }
}
