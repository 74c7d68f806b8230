import { hkdfSync } from 'node:crypto'
import type { User } from '../domain/user.ts'
import { isAppError } from '../errors.ts'
import { listKits } from '../kits/list-kits.ts'
import type { PlatformHost } from '../platforms/platform-http.ts'
import { hashPassword } from './auth/password.ts'
import { randomToken } from '../secret-token.ts'
import { startSession } from './auth/session.ts'
import { requirePermission } from './community-access.ts'
import type { FirstRun } from './first-run.ts'
import type { ServerDeps } from './server-deps.ts'
import { usernameCandidates } from './username-candidates.ts'

/**
 * What platform routes are handed: the store, engine and clock the server runs with, keys
 * derived from the server key (one per purpose, never the key itself), the dashboard's
 * accounts and sign-in, and first-run set-up (the same `firstRun` as the set-up route's). The key
 * derivation's info is prefixed so that no purpose a platform names can give it the server's own
 * derived keys (the session cookie's).
 */
export function createPlatformHost(deps: ServerDeps, firstRun: FirstRun): PlatformHost {
  const { store, clock } = deps
  return {
    store,
    engine: deps.engine,
    clock,
    logger: deps.logger,
    publicUrl: deps.publicUrl,
    deriveKey(purpose) {
      return Buffer.from(hkdfSync('sha256', deps.secretKey, Buffer.alloc(0), `policykit platform: ${purpose}`, 32))
    },
    async createUser({ username, displayName }) {
      // Nobody knows this password: the account signs in through the platform only.
      const passwordHash = await hashPassword(randomToken())
      let lastError: unknown
      for (const candidate of usernameCandidates(username)) {
        try {
          const user: User = await store.users.create({
            username: candidate,
            displayName: displayName.trim().slice(0, 100) || candidate,
            passwordHash,
            now: clock.now(),
          })
          return user
        } catch (e) {
          if (!isAppError(e, 'conflict')) {
            throw e
          }
          lastError = e
        }
      }
      throw lastError
    },
    async requirePermission(request, communityId, permission) {
      return (await requirePermission(deps, request, communityId, permission)).member
    },
    async startSession(request, reply, user) {
      await startSession(deps, request, reply, user)
    },
    setupNeeded: (token) => firstRun.needed(token),
    starterKits: () => listKits().map((k) => k.name),
    async setUpCommunity({ token, communityName, kit, founder, integration }) {
      const { community, creator, user } = await firstRun.setUp({
        token,
        communityName,
        kit,
        creator: { username: founder.username, displayName: founder.displayName },
        user: 'platform-only',
        accounts: [founder.account],
        integration,
      })
      return { communityId: community.id, memberId: creator.id, user }
    },
  }
}
