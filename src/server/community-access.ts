import type { FastifyRequest } from 'fastify'
import type { Community } from '../domain/community.ts'
import { hasPermission, type Member, type Role } from '../domain/member.ts'
import { AppError } from '../errors.ts'
import type { ServerDeps } from './server-deps.ts'

/** The caller as a member of one community, with what their roles let them do there. */
export interface CommunityAccess {
  community: Community
  member: Member
  /** Effective roles: the default role for a member with none. */
  roles: Role[]
  /** The union of the roles' permissions. */
  permissions: string[]
  can(permission: string): boolean
}

/**
 * The caller's membership in `communityId`. A caller who is not a member, or whose API token
 * belongs to another community, is told the community does not exist (no leak of existence).
 */
export async function requireMember(
  deps: ServerDeps,
  request: FastifyRequest,
  communityId: number,
): Promise<CommunityAccess> {
  const { caller } = request
  if (!caller) {
    throw new AppError('unauthenticated', 'sign in first')
  }
  const notFound = new AppError('not_found', `community ${communityId} not found`)
  if (caller.tokenCommunityId !== null && caller.tokenCommunityId !== communityId) {
    throw notFound
  }
  const { store } = deps
  const [community, member] = await Promise.all([
    store.communities.get(communityId),
    store.members.findByAccount(communityId, 'local', String(caller.userId)),
  ])
  if (!community || !member) {
    throw notFound
  }
  const roles = await store.roles.effectiveRoles(communityId, member.id)
  const permissions = [...new Set(roles.flatMap((r) => r.permissions))]
  return {
    community,
    member,
    roles,
    permissions,
    can: (permission) => hasPermission(permissions, permission),
  }
}

/** `requireMember`, then `forbidden` unless the member holds `permission`. */
export async function requirePermission(
  deps: ServerDeps,
  request: FastifyRequest,
  communityId: number,
  permission: string,
): Promise<CommunityAccess> {
  const access = await requireMember(deps, request, communityId)
  if (!access.can(permission)) {
    throw new AppError('forbidden', `you need the ${permission} permission in this community`)
  }
  return access
}
