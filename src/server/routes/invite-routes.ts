import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { localPlatform, type Invite, type User } from '../../domain/user.ts'
import { AppError } from '../../errors.ts'
import { createInviteLink, hasDashboardAccount } from '../../invite-link.ts'
import { hashPassword } from '../auth/password.ts'
import { passwordSchema, refusePasswordAsUsername } from '../auth/password-rules.ts'
import { hashToken } from '../../secret-token.ts'
import { presentSession, startSession } from '../auth/session.ts'
import type { SignInLimits } from '../auth/sign-in-limits.ts'
import { requirePermission } from '../community-access.ts'
import type { InviteJson } from '../presenters.ts'
import type { ServerDeps } from '../server-deps.ts'
import { idParam } from './community-schemas.ts'
import {
  communityParams,
  displayNameSchema,
  inviteInfoJson,
  inviteJson,
  sessionJson,
  usernameSchema,
} from './account-schemas.ts'

const tokenParams = z.object({ token: z.string().min(1).max(200) })

function inviteStatus(invite: Invite, now: number): InviteJson['status'] {
  if (invite.usedAt !== null) {
    return 'used'
  }
  if (invite.revokedAt !== null) {
    return 'revoked'
  }
  return invite.expiresAt > now ? 'open' : 'expired'
}

function presentInvite(
  invite: Invite,
  now: number,
  createdBy: string,
  forMember: string | null,
  url?: string,
): InviteJson {
  return {
    id: invite.id,
    ...(url !== undefined && { url }),
    createdAt: invite.createdAt,
    expiresAt: invite.expiresAt,
    usedAt: invite.usedAt,
    revokedAt: invite.revokedAt,
    forMember,
    status: inviteStatus(invite, now),
    createdBy,
  }
}

/**
 * Invites: a member holding `manage_members` makes a single-use link valid for 7 days; whoever
 * opens it makes an account (or, signed in already, joins with theirs) and becomes a member.
 */
export async function inviteRoutes(app: FastifyInstance, deps: ServerDeps, limits: SignInLimits): Promise<void> {
  const routes = app.withTypeProvider<ZodTypeProvider>()
  const { store, clock } = deps
  const gone = () => new AppError('not_found', 'invite not found or already used')

  /** Invites with the usernames of who made them and whom they are for, in one query. */
  async function presentInvites(communityId: number, invites: Invite[], now: number): Promise<InviteJson[]> {
    const memberIds = [...new Set(invites.flatMap((i) => [i.createdByMemberId ?? [], i.forMemberId ?? []].flat()))]
    const names = new Map((await store.members.getMany(communityId, memberIds)).map((m) => [m.id, m.username]))
    const nameOf = (id: number | null) => (id === null ? undefined : names.get(id))
    return invites.map((i) => presentInvite(i, now, nameOf(i.createdByMemberId) ?? '', nameOf(i.forMemberId) ?? null))
  }

  routes.get(
    '/communities/:communityId/invites',
    {
      schema: {
        summary: 'Invites made in the community, newest first (needs manage_members)',
        tags: ['invites'],
        params: communityParams,
        response: { 200: z.array(inviteJson) },
      },
    },
    async (request) => {
      const { communityId } = request.params
      await requirePermission(deps, request, communityId, 'manage_members')
      return presentInvites(communityId, await store.invites.list(communityId), clock.now())
    },
  )

  routes.post(
    '/communities/:communityId/invites',
    {
      config: { noStore: true },
      schema: {
        summary:
          'Make a single-use invite link, valid for 7 days (needs manage_members); with `member`, a link for that existing member to claim a dashboard account',
        tags: ['invites'],
        params: communityParams,
        body: z.object({ member: z.string().min(1).max(100).optional() }).optional(),
        response: { 201: inviteJson },
      },
    },
    async (request, reply) => {
      const { communityId } = request.params
      const { member } = await requirePermission(deps, request, communityId, 'manage_members')
      const forUsername = request.body?.member
      const forMember = forUsername === undefined ? null : await store.members.getByUsername(communityId, forUsername)
      if (forMember === undefined) {
        throw new AppError('not_found', `no member ${forUsername ?? ''} in this community`)
      }
      const now = clock.now()
      const { invite, url } = await createInviteLink(store, {
        communityId,
        createdByMemberId: member.id,
        forMember,
        now,
        publicUrl: deps.publicUrl,
      })
      return reply.status(201).send(presentInvite(invite, now, member.username, forMember?.username ?? null, url))
    },
  )

  routes.delete(
    '/communities/:communityId/invites/:inviteId',
    {
      schema: {
        summary: 'Revoke an invite that was not used yet: its link stops working (needs manage_members)',
        tags: ['invites'],
        params: communityParams.extend({ inviteId: idParam }),
        response: { 200: inviteJson },
      },
    },
    async (request) => {
      const { communityId, inviteId } = request.params
      await requirePermission(deps, request, communityId, 'manage_members')
      const now = clock.now()
      if (!(await store.invites.revoke(communityId, inviteId, now))) {
        const invite = await store.invites.get(communityId, inviteId)
        if (!invite) {
          throw new AppError('not_found', `invite ${inviteId} not found`)
        }
        throw new AppError('conflict', `invite ${inviteId} was already ${invite.usedAt !== null ? 'used' : 'revoked'}`)
      }
      const revoked = await store.invites.get(communityId, inviteId)
      if (!revoked) {
        throw new AppError('not_found', `invite ${inviteId} not found`)
      }
      const [json] = await presentInvites(communityId, [revoked], now)
      return json
    },
  )

  routes.get(
    '/invites/:token',
    {
      schema: {
        summary: 'What an invite link is for, before accepting it (public)',
        tags: ['invites'],
        params: tokenParams,
        response: { 200: inviteInfoJson },
      },
    },
    async (request) => {
      const invite = await store.invites.findByHash(hashToken(request.params.token))
      const community = invite && (await store.communities.get(invite.communityId))
      if (!invite || !community) {
        throw gone()
      }
      const forMember =
        invite.forMemberId === null ? undefined : await store.members.get(community.id, invite.forMemberId)
      return {
        communityId: community.id,
        forMember: forMember?.username ?? null,
        communityName: community.name,
        valid: inviteStatus(invite, clock.now()) === 'open',
        status: inviteStatus(invite, clock.now()),
      }
    },
  )

  routes.post(
    '/invites/:token/accept',
    {
      config: { signIn: true, noStore: true },
      schema: {
        summary: 'Accept an invite: with a username and password, a new account; with {} when signed in, yours',
        tags: ['invites'],
        params: tokenParams,
        body: z
          .object({
            username: usernameSchema.optional(),
            password: passwordSchema.optional(),
            displayName: displayNameSchema.optional(),
          })
          .superRefine(refusePasswordAsUsername)
          .optional(),
        response: { 200: sessionJson },
      },
    },
    async (request, reply) => {
      const { username, password, displayName } = request.body ?? {}
      const { caller } = request
      await limits.attempt({ address: request.ip })
      const invite = await store.invites.findByHash(hashToken(request.params.token))
      const now = clock.now()
      if (!invite || inviteStatus(invite, now) !== 'open') {
        throw gone()
      }

      let joiner: { user: User } | { account: { username: string; displayName: string; passwordHash: string } }
      if (username !== undefined) {
        if (password === undefined) {
          throw new AppError('invalid_input', 'a password is needed to make an account')
        }
        joiner = {
          account: { username, displayName: displayName ?? username, passwordHash: await hashPassword(password) },
        }
      } else {
        if (caller?.via === 'token') {
          throw new AppError('forbidden', 'an API token cannot accept invites')
        }
        const user = caller && (await store.users.get(caller.userId))
        if (!user) {
          throw new AppError('unauthenticated', 'sign in, or give a username and password to make an account')
        }
        joiner = { user }
      }

      const user = await store.transaction(async (tx) => {
        const joining = 'user' in joiner ? joiner.user : await tx.users.create({ ...joiner.account, now })
        if (await tx.members.findByAccount(invite.communityId, localPlatform, String(joining.id))) {
          throw new AppError('conflict', 'you are already a member of this community')
        }
        const member =
          invite.forMemberId === null
            ? await tx.members.create(invite.communityId, {
                username: joining.username,
                displayName: joining.displayName,
                now,
              })
            : await tx.members.get(invite.communityId, invite.forMemberId)
        if (!member) {
          throw gone()
        }
        if (invite.forMemberId !== null && (await hasDashboardAccount(tx, invite.communityId, member.id))) {
          throw new AppError('conflict', `${member.username} already has a dashboard account`)
        }
        await tx.members.linkAccount(invite.communityId, member.id, {
          platform: localPlatform,
          externalId: String(joining.id),
          username: joining.username,
        })
        // Compare-and-set: of two accepts racing, one wins; the other's account is rolled back.
        if (!(await tx.invites.use(invite.communityId, invite.id, member.id, now))) {
          throw gone()
        }
        return joining
      })
      if ('user' in joiner && request.authSession) {
        return presentSession(deps, user, request.authSession.csrfToken)
      }
      return startSession(deps, request, reply, user)
    },
  )
}
