import type { CookieSerializeOptions } from '@fastify/cookie'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { User } from '../../domain/user.ts'
import type { SessionJson } from '../presenters.ts'
import type { ServerDeps } from '../server-deps.ts'
import { hashToken, randomToken } from '../../secret-token.ts'

export const sessionCookie = 'pk_session'
export const sessionLifetimeMs = 30 * 24 * 60 * 60 * 1000

export function sessionCookieOptions(publicUrl: string): CookieSerializeOptions {
  return {
    signed: true,
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure: new URL(publicUrl).protocol === 'https:',
    maxAge: sessionLifetimeMs / 1000,
  }
}

/**
 * Signs the user in: a new session row (only the token's hash is stored) and its cookie. A
 * session the request already had is ended, so signing in as someone else leaves no stale one.
 */
export async function startSession(
  deps: ServerDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  user: User,
): Promise<SessionJson> {
  const { store, clock } = deps
  if (request.authSession) {
    await store.sessions.remove(request.authSession.id)
  }
  const now = clock.now()
  await store.sessions.removeExpired(now)
  const token = randomToken()
  const session = await store.sessions.create({
    userId: user.id,
    tokenHash: hashToken(token),
    csrfToken: randomToken(),
    now,
    expiresAt: now + sessionLifetimeMs,
  })
  reply.setCookie(sessionCookie, token, sessionCookieOptions(deps.publicUrl))
  return presentSession(deps, user, session.csrfToken)
}

export async function endSession(deps: ServerDeps, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (request.authSession) {
    await deps.store.sessions.remove(request.authSession.id)
  }
  const options = sessionCookieOptions(deps.publicUrl)
  reply.clearCookie(sessionCookie, { path: options.path, httpOnly: true, sameSite: 'lax', secure: options.secure })
}

/**
 * Who is signed in and where they are a member. With an API token, only the token's community
 * is listed, and there is no CSRF token (bearer requests need none).
 */
export async function presentSession(
  deps: ServerDeps,
  user: User,
  csrfToken: string,
  tokenCommunityId: number | null = null,
): Promise<SessionJson> {
  const memberships = await deps.store.users.memberships(user.id)
  return {
    user: { id: user.id, username: user.username, displayName: user.displayName },
    memberships: memberships.filter((m) => tokenCommunityId === null || m.communityId === tokenCommunityId),
    csrfToken,
  }
}
