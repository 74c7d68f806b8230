import type { FastifyRequest } from 'fastify'
import { AppError } from '../../errors.ts'
import type { ServerDeps } from '../server-deps.ts'
import { hashToken, safeEqual } from '../../secret-token.ts'
import { sessionCookie } from './session.ts'

declare module 'fastify' {
  interface FastifyRequest {
    /** The session the request was authenticated by; null for a bearer token or no sign-in. */
    authSession: { id: number; csrfToken: string } | null
  }
  interface FastifyContextConfig {
    /**
     * A route that signs someone in (sign-in, set-up, invite accept): it is checked by Origin
     * rather than by CSRF token, and a session cookie sent without its CSRF token is ignored.
     */
    signIn?: boolean
  }
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * How stale a token's "last used" may be: it is written at most once a minute, not on every
 * request (a busy token's requests queued on its row, each update 2 ms on PostgreSQL).
 */
export const lastUsedPrecisionMs = 60_000

/**
 * The onRequest hook under /api and /platforms: sets `request.caller` from a bearer API token, else from the
 * session cookie, else null. A bearer token that is not valid is refused (401) rather than
 * treated as anonymous, so a revoked token fails loudly. State-changing requests made with the
 * cookie must carry the session's CSRF token.
 */
export function createAuthenticate(deps: ServerDeps) {
  const { store, clock } = deps
  const publicOrigin = new URL(deps.publicUrl).origin

  function checkOrigin(request: FastifyRequest): void {
    const origin = request.headers.origin
    if (origin === undefined) {
      return
    }
    let host: string | null
    try {
      host = new URL(origin).host
    } catch {
      host = null
    }
    if (origin !== publicOrigin && host !== request.headers.host) {
      throw new AppError('forbidden', 'cross-site request refused')
    }
  }

  return async function authenticate(request: FastifyRequest): Promise<void> {
    request.caller = null
    request.authSession = null
    // Platform routes (`/platforms/<name>/…`) are reached by the platform itself (signed webhooks)
    // and by top-level navigations (OAuth): they see the session cookie only, and authenticate
    // the rest themselves. A state-changing request there never fails for lack of a CSRF token;
    // it is just not signed in.
    const platformRoute = request.url.startsWith('/platforms/')
    if (!request.url.startsWith('/api/') && !platformRoute) {
      return
    }
    const signIn = request.routeOptions.config.signIn === true
    const stateChanging = !safeMethods.has(request.method)
    if (signIn && stateChanging) {
      checkOrigin(request)
    }

    const authorization = request.headers.authorization
    if (authorization !== undefined && !platformRoute) {
      const token = /^Bearer +(\S+)$/i.exec(authorization)?.[1]
      if (token === undefined) {
        throw new AppError('unauthenticated', 'the Authorization header must be "Bearer <API token>"')
      }
      const found = await store.apiTokens.findByHash(hashToken(token))
      if (!found) {
        throw new AppError('unauthenticated', 'invalid or revoked API token')
      }
      const now = clock.now()
      const { lastUsedAt } = found.token
      if (lastUsedAt === null || now - lastUsedAt >= lastUsedPrecisionMs) {
        await store.apiTokens.markUsed(found.token.communityId, found.token.id, now)
      }
      request.caller = {
        userId: found.user.id,
        username: found.user.username,
        via: 'token',
        tokenCommunityId: found.token.communityId,
      }
      return
    }

    const cookie = request.cookies[sessionCookie]
    if (cookie === undefined) {
      return
    }
    const unsigned = request.unsignCookie(cookie)
    if (!unsigned.valid || unsigned.value === null) {
      return
    }
    const found = await store.sessions.find(hashToken(unsigned.value), clock.now())
    if (!found) {
      return
    }
    if (stateChanging) {
      const header = request.headers['x-csrf-token']
      if (typeof header !== 'string' || !safeEqual(header, found.session.csrfToken)) {
        if (signIn || platformRoute) {
          return
        }
        throw new AppError('forbidden', 'missing or wrong CSRF token')
      }
    }
    request.caller = { userId: found.user.id, username: found.user.username, via: 'session', tokenCommunityId: null }
    request.authSession = { id: found.session.id, csrfToken: found.session.csrfToken }
  }
}
