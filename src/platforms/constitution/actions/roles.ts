import { z } from 'zod'
import { rowId } from '../../../domain/int4.ts'
import type { Member, Role } from '../../../domain/member.ts'
import { AppError } from '../../../errors.ts'
import type { Store } from '../../../store/store.ts'
import { defineAction, type ActionDef } from '../../platform.ts'
import type { ConstitutionDeps } from '../constitution-deps.ts'
import { withNameHeld } from '../name-held.ts'
import { guardAgainstLockOut } from '../lock-out-guard.ts'
import { checkPermissions } from '../permission-format.ts'
import type { RoleGraph } from '../role-graph.ts'
import { nameSchema, refuseSameName } from '../../../domain/names.ts'

const id = rowId
const roleName = nameSchema(100)
const description = z.string().max(2000)
const permissions = z.array(z.string())

async function existingRole(store: Store, communityId: number, roleId: number): Promise<Role> {
  const role = await store.roles.get(communityId, roleId)
  if (!role) {
    throw new AppError('not_found', `role ${roleId} not found in this community`)
  }
  return role
}

async function existingMember(store: Store, communityId: number, memberId: number): Promise<Member> {
  const member = await store.members.get(communityId, memberId)
  if (!member) {
    throw new AppError('not_found', `member ${memberId} not found in this community`)
  }
  return member
}

/** The role and the member an assignment names, both of this community. */
async function roleAndMember(store: Store, communityId: number, roleId: number, memberId: number) {
  const [role, member] = await Promise.all([
    existingRole(store, communityId, roleId),
    existingMember(store, communityId, memberId),
  ])
  return { role, member }
}

/** Role names are told apart as people tell them: `Admin` and `admin` are one name. */
async function checkNameFree(store: Store, communityId: number, name: string, roleId?: number): Promise<void> {
  refuseSameName('a role', await store.roles.list(communityId), name, roleId)
}

function withPermissions(role: Role, next: string[]) {
  return (graph: RoleGraph) => {
    graph.roles.set(role.id, { ...role, permissions: next })
  }
}

function withoutRole(role: Role) {
  return (graph: RoleGraph) => {
    graph.roles.delete(role.id)
    for (const assigned of graph.assigned.values()) {
      assigned.delete(role.id)
    }
  }
}

function withoutAssignment(role: Role, member: Member) {
  return (graph: RoleGraph) => {
    graph.assigned.get(member.id)?.delete(role.id)
  }
}

function checkRemovable(role: Role): void {
  if (role.isDefault) {
    throw new AppError(
      'conflict',
      `${role.name} is the default role, which every member without a role has; change its permissions instead`,
    )
  }
}

async function checkHolds(store: Store, communityId: number, role: Role, member: Member): Promise<void> {
  const held = await store.roles.effectiveRoles(communityId, member.id)
  if (!held.some((r) => r.id === role.id)) {
    throw new AppError('conflict', `${member.username} does not have the role ${role.name}`)
  }
}

/**
 * Roles and who has them. Changing, removing or unassigning a role is refused when it would
 * leave nobody able to amend the constitution (lock-out-guard.ts), checked when proposed and
 * again, inside a transaction holding the community, when executed.
 */
export function roleActions({ store }: ConstitutionDeps): Record<string, ActionDef> {
  const addRole = defineAction({
    description: 'Create a role with a name, a description and permissions',
    params: z.strictObject({
      name: roleName,
      description: description.default(''),
      permissions: permissions.default([]),
    }),
    creates: ['roleId'],
    async validate(ctx, params) {
      checkPermissions(params.permissions, ctx.knownTypes)
      await checkNameFree(store, ctx.communityId, params.name)
    },
    async execute(ctx, params) {
      // Again: another role may have taken the name since this was proposed.
      const role = await withNameHeld(
        store,
        ctx.communityId,
        params.name,
        (trx, name) => checkNameFree(trx, ctx.communityId, name),
        (trx) => trx.roles.create(ctx.communityId, params),
      )
      return { roleId: role.id }
    },
  })

  const changeRole = defineAction({
    description: "Change a role's name, description or permissions",
    params: z
      .strictObject({
        roleId: id,
        name: roleName.optional(),
        description: description.optional(),
        permissions: permissions.optional(),
      })
      .refine((p) => Object.keys(p).length > 1, 'name at least one of name, description and permissions'),
    async validate(ctx, { roleId, ...patch }) {
      const role = await existingRole(store, ctx.communityId, roleId)
      if (patch.name !== undefined) {
        await checkNameFree(store, ctx.communityId, patch.name, roleId)
      }
      if (patch.permissions !== undefined) {
        checkPermissions(patch.permissions, ctx.knownTypes)
        await guardAgainstLockOut(
          store,
          ctx.communityId,
          withPermissions(role, patch.permissions),
          `changing the permissions of ${role.name}`,
        )
      }
    },
    async execute(ctx, { roleId, ...patch }) {
      // Another role may have taken the name since this was proposed.
      return withNameHeld(
        store,
        ctx.communityId,
        patch.name,
        (trx, name) => checkNameFree(trx, ctx.communityId, name, roleId),
        async (trx) => {
          await trx.communities.lock(ctx.communityId)
          const role = await existingRole(trx, ctx.communityId, roleId)
          if (patch.permissions !== undefined) {
            await guardAgainstLockOut(
              trx,
              ctx.communityId,
              withPermissions(role, patch.permissions),
              `changing the permissions of ${role.name}`,
            )
          }
          await trx.roles.update(ctx.communityId, roleId, patch)
          return { roleId }
        },
      )
    },
  })

  const removeRole = defineAction({
    description: 'Delete a role; its members lose it',
    params: z.strictObject({ roleId: id }),
    async validate(ctx, { roleId }) {
      const role = await existingRole(store, ctx.communityId, roleId)
      checkRemovable(role)
      await guardAgainstLockOut(store, ctx.communityId, withoutRole(role), `removing the role ${role.name}`)
    },
    async execute(ctx, { roleId }) {
      return store.transaction(async (trx) => {
        await trx.communities.lock(ctx.communityId)
        const role = await existingRole(trx, ctx.communityId, roleId)
        checkRemovable(role)
        await guardAgainstLockOut(trx, ctx.communityId, withoutRole(role), `removing the role ${role.name}`)
        await trx.roles.remove(ctx.communityId, roleId)
        return { roleId }
      })
    },
  })

  const assignRole = defineAction({
    description: 'Give a member a role',
    params: z.strictObject({ roleId: id, memberId: id }),
    async validate(ctx, { roleId, memberId }) {
      const { role, member } = await roleAndMember(store, ctx.communityId, roleId, memberId)
      // A member without roles has the default role implicitly; assigning it keeps it for them
      // once they get another role, so only other roles can be "already held".
      const held = await store.roles.effectiveRoles(ctx.communityId, memberId)
      if (!role.isDefault && held.some((r) => r.id === roleId)) {
        throw new AppError('conflict', `${member.username} already has the role ${role.name}`)
      }
    },
    async execute(ctx, { roleId, memberId }) {
      await roleAndMember(store, ctx.communityId, roleId, memberId)
      await store.roles.assign(ctx.communityId, memberId, roleId)
      return { roleId, memberId }
    },
  })

  const unassignRole = defineAction({
    description: 'Take a role away from a member',
    params: z.strictObject({ roleId: id, memberId: id }),
    async validate(ctx, { roleId, memberId }) {
      const { role, member } = await roleAndMember(store, ctx.communityId, roleId, memberId)
      await checkHolds(store, ctx.communityId, role, member)
      await guardAgainstLockOut(
        store,
        ctx.communityId,
        withoutAssignment(role, member),
        `taking the role ${role.name} from ${member.username}`,
      )
    },
    async execute(ctx, { roleId, memberId }) {
      return store.transaction(async (trx) => {
        await trx.communities.lock(ctx.communityId)
        const { role, member } = await roleAndMember(trx, ctx.communityId, roleId, memberId)
        await guardAgainstLockOut(
          trx,
          ctx.communityId,
          withoutAssignment(role, member),
          `taking the role ${role.name} from ${member.username}`,
        )
        await trx.roles.unassign(ctx.communityId, memberId, roleId)
        return { roleId, memberId }
      })
    },
  })

  return { addRole, changeRole, removeRole, assignRole, unassignRole }
}
