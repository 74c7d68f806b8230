import type { Kysely, Selectable } from 'kysely'
import type { ApiToken } from '../domain/user.ts'
import type { ApiTokensTable, Database } from './database.ts'
import type { ApiTokenRepo } from './store.ts'
import { toUser } from './user-repo.ts'

function toApiToken(row: Selectable<ApiTokensTable>): ApiToken {
  return {
    id: row.id,
    userId: row.user_id,
    communityId: row.community_id,
    name: row.name,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
  }
}

export function createApiTokenRepo(db: Kysely<Database>): ApiTokenRepo {
  return {
    async create(communityId, { userId, name, tokenHash, now }) {
      const row = await db
        .insertInto('api_tokens')
        .values({ community_id: communityId, user_id: userId, name, token_hash: tokenHash, created_at: now })
        .returningAll()
        .executeTakeFirstOrThrow()
      return toApiToken(row)
    },

    async findByHash(tokenHash) {
      const row = await db
        .selectFrom('api_tokens')
        .innerJoin('users', 'users.id', 'api_tokens.user_id')
        .selectAll('api_tokens')
        .select(['users.username', 'users.display_name', 'users.created_at as user_created_at'])
        .where('api_tokens.token_hash', '=', tokenHash)
        .executeTakeFirst()
      return (
        row && {
          token: toApiToken(row),
          user: toUser({
            id: row.user_id,
            username: row.username,
            display_name: row.display_name,
            created_at: row.user_created_at,
          }),
        }
      )
    },

    async markUsed(communityId, tokenId, now) {
      await db
        .updateTable('api_tokens')
        .set({ last_used_at: now })
        .where('community_id', '=', communityId)
        .where('id', '=', tokenId)
        .execute()
    },

    async list(communityId, userId) {
      const rows = await db
        .selectFrom('api_tokens')
        .selectAll()
        .where('community_id', '=', communityId)
        .where('user_id', '=', userId)
        .orderBy('id')
        .execute()
      return rows.map(toApiToken)
    },

    async remove(communityId, userId, tokenId) {
      const result = await db
        .deleteFrom('api_tokens')
        .where('community_id', '=', communityId)
        .where('user_id', '=', userId)
        .where('id', '=', tokenId)
        .executeTakeFirst()
      return result.numDeletedRows > 0n
    },
  }
}
