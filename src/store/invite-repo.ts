import type { Kysely, Selectable } from 'kysely'
import type { Invite } from '../domain/user.ts'
import type { Database, InvitesTable } from './database.ts'
import type { InviteRepo } from './store.ts'

function toInvite(row: Selectable<InvitesTable>): Invite {
  return {
    id: row.id,
    communityId: row.community_id,
    createdByMemberId: row.created_by_member_id,
    forMemberId: row.for_member_id,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    usedAt: row.used_at,
    usedByMemberId: row.used_by_member_id,
    revokedAt: row.revoked_at,
  }
}

export function createInviteRepo(db: Kysely<Database>): InviteRepo {
  return {
    async create(communityId, { tokenHash, createdByMemberId, forMemberId = null, now, expiresAt }) {
      const row = await db
        .insertInto('invites')
        .values({
          community_id: communityId,
          token_hash: tokenHash,
          created_by_member_id: createdByMemberId,
          for_member_id: forMemberId,
          created_at: now,
          expires_at: expiresAt,
        })
        .returningAll()
        .executeTakeFirstOrThrow()
      return toInvite(row)
    },

    async findByHash(tokenHash) {
      const row = await db.selectFrom('invites').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst()
      return row && toInvite(row)
    },

    async get(communityId, inviteId) {
      const row = await db
        .selectFrom('invites')
        .selectAll()
        .where('community_id', '=', communityId)
        .where('id', '=', inviteId)
        .executeTakeFirst()
      return row && toInvite(row)
    },

    async list(communityId) {
      const rows = await db
        .selectFrom('invites')
        .selectAll()
        .where('community_id', '=', communityId)
        .orderBy('id', 'desc')
        .execute()
      return rows.map(toInvite)
    },

    async use(communityId, inviteId, memberId, now) {
      const result = await db
        .updateTable('invites')
        .set({ used_at: now, used_by_member_id: memberId })
        .where('community_id', '=', communityId)
        .where('id', '=', inviteId)
        .where('used_at', 'is', null)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', now)
        .executeTakeFirst()
      return result.numUpdatedRows > 0n
    },

    async revoke(communityId, inviteId, now) {
      const result = await db
        .updateTable('invites')
        .set({ revoked_at: now })
        .where('community_id', '=', communityId)
        .where('id', '=', inviteId)
        .where('used_at', 'is', null)
        .where('revoked_at', 'is', null)
        .executeTakeFirst()
      return result.numUpdatedRows > 0n
    },
  }
}
