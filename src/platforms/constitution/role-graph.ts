import type { Member, Role } from '../../domain/member.ts'
import { hasPermission, type Permission } from '../../domain/member.ts'
import type { Store } from '../../store/store.ts'

/**
 * Every member of a community with the roles assigned to them, read at once so a constitution
 * change can be tried out on a copy before it is made (the lock-out guard), and policies can ask
 * who holds a role or a permission.
 */
export interface RoleGraph {
  members: Member[]
  roles: Map<number, Role>
  /** Explicitly assigned role ids per member; a member with none has the default role. */
  assigned: Map<number, Set<number>>
}

export async function loadRoleGraph(store: Store, communityId: number): Promise<RoleGraph> {
  const [members, roles, assignments] = await Promise.all([
    store.members.list(communityId),
    store.roles.list(communityId),
    store.roles.assignments(communityId),
  ])
  const assigned = new Map<number, Set<number>>(members.map((m) => [m.id, new Set<number>()]))
  for (const { memberId, roleId } of assignments) {
    assigned.get(memberId)?.add(roleId)
  }
  return { members, roles: new Map(roles.map((r) => [r.id, r])), assigned }
}

/** The member's roles; the community's default role when none is assigned. */
export function effectiveRoles(graph: RoleGraph, memberId: number): Role[] {
  const ids = graph.assigned.get(memberId) ?? new Set<number>()
  const roles = [...ids].flatMap((id) => graph.roles.get(id) ?? [])
  if (roles.length > 0) {
    return roles
  }
  return [...graph.roles.values()].filter((r) => r.isDefault)
}

export function memberHolds(graph: RoleGraph, memberId: number, permission: Permission): boolean {
  return hasPermission(
    effectiveRoles(graph, memberId).flatMap((r) => r.permissions),
    permission,
  )
}

/** Whether the member may propose `type` (holding `execute` for it counts, as in the engine). */
export function mayPropose(graph: RoleGraph, memberId: number, type: string): boolean {
  return memberHolds(graph, memberId, `propose:${type}`) || memberHolds(graph, memberId, `execute:${type}`)
}

/** A copy to try a change on. */
export function cloneRoleGraph(graph: RoleGraph): RoleGraph {
  return {
    members: graph.members,
    roles: new Map(graph.roles),
    assigned: new Map([...graph.assigned].map(([id, roles]) => [id, new Set(roles)])),
  }
}
