import type { Kysely, Selectable } from 'kysely'
import { localPlatform, type User } from '../domain/user.ts'
import { AppError } from '../errors.ts'
import type { Database, UsersTable } from './database.ts'
import { isUniqueViolation } from './rows.ts'
import type { UserRepo } from './store.ts'

export function toUser(row: Pick<Selectable<UsersTable>, 'id' | 'username' | 'display_name' | 'created_at'>): User {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    createdAt: row.created_at,
  }
}

export function createUserRepo(db: Kysely<Database>): UserRepo {
  return {
    async create({ username, displayName, passwordHash, now }) {
      try {
        const row = await db
          .insertInto('users')
          .values({ username, display_name: displayName, password_hash: passwordHash, created_at: now })
          .returningAll()
          .executeTakeFirstOrThrow()
        return toUser(row)
      } catch (e) {
        if (isUniqueViolation(e)) {
          throw new AppError('conflict', `username ${username} is already taken`, { cause: e })
        }
        throw e
      }
    },

    async get(userId) {
      const row = await db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst()
      return row && toUser(row)
    },

    async findForSignIn(username) {
      const row = await db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst()
      return row && { user: toUser(row), passwordHash: row.password_hash }
    },

    async setPasswordHash(userId, passwordHash) {
      await db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', userId).execute()
    },

    async memberships(userId) {
      const rows = await db
        .selectFrom('accounts')
        .innerJoin('communities', 'communities.id', 'accounts.community_id')
        .select(['accounts.community_id', 'communities.name', 'accounts.member_id'])
        .where('accounts.platform', '=', localPlatform)
        .where('accounts.external_id', '=', String(userId))
        .orderBy('accounts.community_id')
        .execute()
      return rows.map((row) => ({ communityId: row.community_id, communityName: row.name, memberId: row.member_id }))
    },
  }
}
