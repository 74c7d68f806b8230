import type { Kysely, Selectable } from 'kysely'
import type { Account, Member } from '../domain/member.ts'
import { AppError } from '../errors.ts'
import type { AccountsTable, Database, MembersTable } from './database.ts'
import { isUniqueViolation } from './rows.ts'
import type { MemberRepo } from './store.ts'

export function toMember(row: Selectable<MembersTable>): Member {
  return {
    id: row.id,
    communityId: row.community_id,
    username: row.username,
    displayName: row.display_name,
    createdAt: row.created_at,
  }
}

function toAccount(row: Selectable<AccountsTable>): Account {
  return {
    id: row.id,
    communityId: row.community_id,
    memberId: row.member_id,
    platform: row.platform,
    externalId: row.external_id,
    username: row.username,
  }
}

/** Ids per `in (…)` list: well under SQLite's limit on bound parameters, and PostgreSQL's. */
const idsPerQuery = 500

function inChunks<T>(items: T[]): T[][] {
  const chunks: T[][] = []
  for (let i = 0; i < items.length; i += idsPerQuery) {
    chunks.push(items.slice(i, i + idsPerQuery))
  }
  return chunks
}

export function createMemberRepo(db: Kysely<Database>): MemberRepo {
  return {
    async remove(communityId, memberId, now) {
      const local = await db
        .selectFrom('accounts')
        .select('external_id')
        .where('community_id', '=', communityId)
        .where('member_id', '=', memberId)
        .where('platform', '=', 'local')
        .execute()
      const userIds = local.map((a) => Number(a.external_id)).filter(Number.isSafeInteger)
      if (userIds.length > 0) {
        await db
          .deleteFrom('api_tokens')
          .where('community_id', '=', communityId)
          .where('user_id', 'in', userIds)
          .execute()
      }
      await db
        .deleteFrom('invites')
        .where('community_id', '=', communityId)
        .where('for_member_id', '=', memberId)
        .where('used_at', 'is', null)
        .execute()
      await db
        .deleteFrom('member_roles')
        .where('community_id', '=', communityId)
        .where('member_id', '=', memberId)
        .execute()
      await db
        .deleteFrom('accounts')
        .where('community_id', '=', communityId)
        .where('member_id', '=', memberId)
        .execute()
      const result = await db
        .updateTable('members')
        .set({ left_at: now })
        .where('community_id', '=', communityId)
        .where('id', '=', memberId)
        .where('left_at', 'is', null)
        .executeTakeFirst()
      return result.numUpdatedRows > 0n
    },

    async setDisplayName(communityId, memberId, displayName) {
      const row = await db
        .updateTable('members')
        .set({ display_name: displayName })
        .where('community_id', '=', communityId)
        .where('id', '=', memberId)
        .returningAll()
        .executeTakeFirst()
      return row ? toMember(row) : undefined
    },
    async create(communityId, { username, displayName, now }) {
      try {
        const row = await db
          .insertInto('members')
          .values({
            community_id: communityId,
            username,
            display_name: displayName ?? username,
            created_at: now,
          })
          .returningAll()
          .executeTakeFirstOrThrow()
        return toMember(row)
      } catch (e) {
        if (isUniqueViolation(e)) {
          throw new AppError('conflict', `username ${username} is already taken`, { cause: e })
        }
        throw e
      }
    },

    async get(communityId, memberId) {
      const row = await db
        .selectFrom('members')
        .selectAll()
        .where('community_id', '=', communityId)
        .where('id', '=', memberId)
        .executeTakeFirst()
      return row && toMember(row)
    },

    async getMany(communityId, memberIds) {
      if (memberIds.length === 0) {
        return []
      }
      const rows = await db
        .selectFrom('members')
        .selectAll()
        .where('community_id', '=', communityId)
        .where('id', 'in', memberIds)
        .orderBy('id')
        .execute()
      return rows.map(toMember)
    },

    async getByUsername(communityId, username) {
      const row = await db
        .selectFrom('members')
        .selectAll()
        .where('community_id', '=', communityId)
        .where('username', '=', username)
        .where('left_at', 'is', null)
        .executeTakeFirst()
      return row && toMember(row)
    },

    async list(communityId) {
      const rows = await db
        .selectFrom('members')
        .selectAll()
        .where('community_id', '=', communityId)
        .where('left_at', 'is', null)
        .orderBy('id')
        .execute()
      return rows.map(toMember)
    },

    async linkAccount(communityId, memberId, account) {
      const member = await db
        .selectFrom('members')
        .select('id')
        .where('community_id', '=', communityId)
        .where('id', '=', memberId)
        .executeTakeFirst()
      if (!member) {
        throw new AppError('not_found', `member ${memberId} not found`)
      }
      try {
        const row = await db
          .insertInto('accounts')
          .values({
            community_id: communityId,
            member_id: memberId,
            platform: account.platform,
            external_id: account.externalId,
            username: account.username,
          })
          .returningAll()
          .executeTakeFirstOrThrow()
        return toAccount(row)
      } catch (e) {
        if (isUniqueViolation(e)) {
          throw new AppError('conflict', `${account.platform} account ${account.externalId} is already linked`, {
            cause: e,
          })
        }
        throw e
      }
    },

    async accounts(communityId, memberId) {
      const rows = await db
        .selectFrom('accounts')
        .selectAll()
        .where('community_id', '=', communityId)
        .where('member_id', '=', memberId)
        .orderBy('id')
        .execute()
      return rows.map(toAccount)
    },

    async accountsOf(communityId, memberIds) {
      const byMember = new Map<number, Account[]>()
      for (const ids of inChunks([...new Set(memberIds)])) {
        const rows = await db
          .selectFrom('accounts')
          .selectAll()
          .where('community_id', '=', communityId)
          .where('member_id', 'in', ids)
          .orderBy('id')
          .execute()
        for (const row of rows) {
          const account = toAccount(row)
          const list = byMember.get(account.memberId)
          if (list) {
            list.push(account)
          } else {
            byMember.set(account.memberId, [account])
          }
        }
      }
      return byMember
    },

    async findByAccounts(communityId, platform, externalIds) {
      const byExternalId = new Map<string, Member>()
      for (const ids of inChunks([...new Set(externalIds)])) {
        const rows = await db
          .selectFrom('accounts')
          .innerJoin('members', 'members.id', 'accounts.member_id')
          .selectAll('members')
          .select('accounts.external_id')
          .where('accounts.community_id', '=', communityId)
          .where('members.community_id', '=', communityId)
          .where('accounts.platform', '=', platform)
          .where('accounts.external_id', 'in', ids)
          .execute()
        for (const { external_id: externalId, ...member } of rows) {
          byExternalId.set(externalId, toMember(member))
        }
      }
      return byExternalId
    },

    async findByAccount(communityId, platform, externalId) {
      const row = await db
        .selectFrom('accounts')
        .innerJoin('members', 'members.id', 'accounts.member_id')
        .selectAll('members')
        .where('accounts.community_id', '=', communityId)
        .where('members.community_id', '=', communityId)
        .where('accounts.platform', '=', platform)
        .where('accounts.external_id', '=', externalId)
        .executeTakeFirst()
      return row && toMember(row)
    },
  }
}
