/**
 * A dashboard login. One user may be a member of several communities: each membership is a
 * member of that community with a `local` account whose external id is the user's id.
 */
export interface User {
  id: number
  username: string
  displayName: string
  createdAt: number
}

export interface Session {
  id: number
  userId: number
  /** Sent back as the X-CSRF-Token header on state-changing requests. */
  csrfToken: string
  createdAt: number
  expiresAt: number
}

/** Acts as its user in one community, for scripts and other automation. */
export interface ApiToken {
  id: number
  userId: number
  communityId: number
  name: string
  createdAt: number
  lastUsedAt: number | null
}

/**
 * A single-use link that makes whoever follows it a member of the community; with `forMemberId`,
 * a claim link that gives that existing member (made by the CLI or a platform) a dashboard account.
 */
export interface Invite {
  id: number
  communityId: number
  createdByMemberId: number | null
  forMemberId: number | null
  createdAt: number
  expiresAt: number
  usedAt: number | null
  usedByMemberId: number | null
  /** Revoked before it was used: the link no longer works. */
  revokedAt: number | null
}

/** The platform of the account that links a member to a user (external id: the user's id). */
export const localPlatform = 'local'
