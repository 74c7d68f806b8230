import type { Invite } from './domain/user.ts'
import { localPlatform } from './domain/user.ts'
import { AppError } from './errors.ts'
import { hashToken, randomToken } from './secret-token.ts'
import type { Store } from './store/store.ts'

export const inviteLifetimeMs = 7 * 24 * 60 * 60 * 1000

/** Whether the member already signs in to the dashboard (has a `local` account): a claim link is not for them. */
export async function hasDashboardAccount(store: Store, communityId: number, memberId: number): Promise<boolean> {
  return (await store.members.accounts(communityId, memberId)).some((a) => a.platform === localPlatform)
}

export interface InviteLinkInput {
  communityId: number
  /** The member who made it; null when the operator did (CLI). */
  createdByMemberId: number | null
  /** A claim link for this member, who must not have a dashboard account yet. */
  forMember?: { id: number; username: string } | null
  now: number
  /** Where people reach PolicyKit, e.g. `http://localhost:3000`. */
  publicUrl: string
}

/**
 * Makes a single-use link valid for 7 days. Only the token's hash is stored, so the link can be
 * shown once, to whoever made it. Shared by the API (Settings → Invites) and the CLI.
 */
export async function createInviteLink(store: Store, input: InviteLinkInput): Promise<{ invite: Invite; url: string }> {
  const { communityId, forMember } = input
  if (forMember && (await hasDashboardAccount(store, communityId, forMember.id))) {
    throw new AppError('conflict', `${forMember.username} already has a dashboard account: they sign in with it`)
  }
  const token = randomToken()
  const invite = await store.invites.create(communityId, {
    tokenHash: hashToken(token),
    createdByMemberId: input.createdByMemberId,
    forMemberId: forMember?.id ?? null,
    now: input.now,
    expiresAt: input.now + inviteLifetimeMs,
  })
  return { invite, url: `${input.publicUrl.replace(/\/+$/, '')}/invite/${token}` }
}
