import type { Kysely, Selectable } from 'kysely'
import { z } from 'zod'
import type { Role } from '../domain/member.ts'
import { AppError } from '../errors.ts'
import type { Database, RolesTable } from './database.ts'
import { toMember } from './member-repo.ts'
import { flag, isUniqueViolation, parseJsonAs } from './rows.ts'
import type { RoleInput, RoleRepo } from './store.ts'

const permissionsSchema = z.array(z.string())

function toRole(row: Selectable<RolesTable>): Role {
  return {
    id: row.id,
    communityId: row.community_id,
    name: row.name,
    description: row.description,
    permissions: parseJsonAs('roles', row.id, 'permissions', row.permissions, permissionsSchema),
    isDefault: row.is_default === 1,
  }
}

function toColumns(input: Partial<RoleInput>) {
  return {
    ...(input.name !== undefined && { name: input.name }),
    ...(input.description !== undefined && { description: input.description }),
    ...(input.permissions !== undefined && {
      permissions: JSON.stringify(input.permissions),
    }),
    ...(input.isDefault !== undefined && { is_default: flag(input.isDefault) }),
  }
}

/**
 * Which rule a unique violation broke, read from the error itself: a query after it would fail
 * on PostgreSQL inside a transaction, which the violation has already aborted. PostgreSQL names
 * the constraint; SQLite lists the columns (`roles.community_id, roles.name`).
 */
function violatesNameRule(e: unknown): boolean {
  if (e instanceof Error && 'constraint' in e && typeof e.constraint === 'string') {
    return e.constraint === 'roles_community_name'
  }
  return e instanceof Error && e.message.includes('roles.name')
}

export function createRoleRepo(db: Kysely<Database>): RoleRepo {
  async function get(communityId: number, roleId: number): Promise<Role | undefined> {
    const row = await db
      .selectFrom('roles')
      .selectAll()
      .where('community_id', '=', communityId)
      .where('id', '=', roleId)
      .executeTakeFirst()
    return row && toRole(row)
  }

  /**
   * Turns a unique violation into a message that says which rule was broken: the name
   * (roles_community_name) or the single default role (the roles_one_default index).
   */
  function conflict(name: string | undefined, e: unknown): AppError {
    return new AppError(
      'conflict',
      violatesNameRule(e) ? `a role named ${name ?? ''} already exists` : 'the community already has a default role',
      { cause: e },
    )
  }

  return {
    async create(communityId, input) {
      try {
        const row = await db
          .insertInto('roles')
          .values({
            community_id: communityId,
            name: input.name,
            description: input.description ?? '',
            permissions: JSON.stringify(input.permissions),
            is_default: flag(input.isDefault ?? false),
          })
          .returningAll()
          .executeTakeFirstOrThrow()
        return toRole(row)
      } catch (e) {
        throw isUniqueViolation(e) ? conflict(input.name, e) : e
      }
    },

    async update(communityId, roleId, patch) {
      const values = toColumns(patch)
      let role: Role | undefined
      if (Object.keys(values).length === 0) {
        role = await get(communityId, roleId)
      } else {
        try {
          const row = await db
            .updateTable('roles')
            .set(values)
            .where('community_id', '=', communityId)
            .where('id', '=', roleId)
            .returningAll()
            .executeTakeFirst()
          role = row && toRole(row)
        } catch (e) {
          throw isUniqueViolation(e) ? conflict(patch.name, e) : e
        }
      }
      if (!role) {
        throw new AppError('not_found', `role ${roleId} not found`)
      }
      return role
    },

    async remove(communityId, roleId) {
      const result = await db
        .deleteFrom('roles')
        .where('community_id', '=', communityId)
        .where('id', '=', roleId)
        .executeTakeFirst()
      if (result.numDeletedRows === 0n) {
        throw new AppError('not_found', `role ${roleId} not found`)
      }
    },

    get,

    async getByName(communityId, name) {
      const row = await db
        .selectFrom('roles')
        .selectAll()
        .where('community_id', '=', communityId)
        .where('name', '=', name)
        .executeTakeFirst()
      return row && toRole(row)
    },

    async list(communityId) {
      const rows = await db
        .selectFrom('roles')
        .selectAll()
        .where('community_id', '=', communityId)
        .orderBy('id')
        .execute()
      return rows.map(toRole)
    },

    async assignments(communityId) {
      const rows = await db
        .selectFrom('member_roles')
        .select(['member_id', 'role_id'])
        .where('community_id', '=', communityId)
        .orderBy('member_id')
        .orderBy('role_id')
        .execute()
      return rows.map((row) => ({ memberId: row.member_id, roleId: row.role_id }))
    },

    async assign(communityId, memberId, roleId) {
      // Insert-select, so a member or role of another community inserts nothing.
      const result = await db
        .insertInto('member_roles')
        .columns(['community_id', 'member_id', 'role_id'])
        .expression((eb) =>
          eb
            .selectFrom('members')
            .innerJoin('roles', 'roles.community_id', 'members.community_id')
            .select(['members.community_id', 'members.id', 'roles.id'])
            .where('members.community_id', '=', communityId)
            .where('members.id', '=', memberId)
            .where('roles.id', '=', roleId),
        )
        .onConflict((oc) => oc.columns(['member_id', 'role_id']).doNothing())
        .executeTakeFirst()
      if (result.numInsertedOrUpdatedRows === 0n) {
        const assigned = await db
          .selectFrom('member_roles')
          .select('role_id')
          .where('community_id', '=', communityId)
          .where('member_id', '=', memberId)
          .where('role_id', '=', roleId)
          .executeTakeFirst()
        if (!assigned) {
          throw new AppError('not_found', `member ${memberId} or role ${roleId} not found`)
        }
      }
    },

    async unassign(communityId, memberId, roleId) {
      await db
        .deleteFrom('member_roles')
        .where('community_id', '=', communityId)
        .where('member_id', '=', memberId)
        .where('role_id', '=', roleId)
        .execute()
    },

    async effectiveRoles(communityId, memberId) {
      const assigned = db
        .selectFrom('member_roles')
        .select('member_roles.role_id')
        .where('member_roles.community_id', '=', communityId)
        .where('member_roles.member_id', '=', memberId)
      const rows = await db
        .selectFrom('roles')
        .selectAll()
        .where('roles.community_id', '=', communityId)
        .where((eb) =>
          eb.exists(
            eb
              .selectFrom('members')
              .select('members.id')
              .where('members.community_id', '=', communityId)
              .where('members.id', '=', memberId)
              .where('members.left_at', 'is', null),
          ),
        )
        .where((eb) =>
          eb.or([
            eb('roles.id', 'in', assigned),
            eb.and([eb('roles.is_default', '=', 1), eb.not(eb.exists(assigned))]),
          ]),
        )
        .orderBy('roles.id')
        .execute()
      return rows.map(toRole)
    },

    async members(communityId, roleId) {
      const rows = await db
        .selectFrom('members')
        .selectAll('members')
        .where('members.community_id', '=', communityId)
        .where('members.left_at', 'is', null)
        .where((eb) =>
          eb.or([
            eb.exists(
              eb
                .selectFrom('member_roles')
                .select('member_roles.role_id')
                .whereRef('member_roles.member_id', '=', 'members.id')
                .where('member_roles.role_id', '=', roleId),
            ),
            eb.and([
              eb.exists(
                eb
                  .selectFrom('roles')
                  .select('roles.id')
                  .where('roles.community_id', '=', communityId)
                  .where('roles.id', '=', roleId)
                  .where('roles.is_default', '=', 1),
              ),
              eb.not(
                eb.exists(
                  eb
                    .selectFrom('member_roles')
                    .select('member_roles.role_id')
                    .whereRef('member_roles.member_id', '=', 'members.id'),
                ),
              ),
            ]),
          ]),
        )
        .orderBy('members.id')
        .execute()
      return rows.map(toMember)
    },
  }
}
