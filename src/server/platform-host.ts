import { createHash } from 'node:crypto'
import { derivePlatformKey } from '../derive-platform-key.ts'
import type { Member } from '../domain/member.ts'
import { localPlatform, type User } from '../domain/user.ts'
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
 * What platform routes are handed: the clock and logger the server runs with, keys
 * derived from the server key (one per purpose, never the key itself), the dashboard's
 * accounts and sign-in, and first-run set-up (the same `firstRun` as the set-up route's). The key
 * derivation's info is prefixed so that no purpose a platform names can give it the server's own
 * derived keys (the session cookie's).
 */
export function createPlatformHost(deps: ServerDeps, firstRun: FirstRun): PlatformHost {
  const { store, clock } = deps

  async function createUser({ username, displayName }: { username: string; displayName: string }): Promise<User> {
    // Nobody knows this password: the account signs in through the platform only.
    const passwordHash = await hashPassword(randomToken())
    let lastError: unknown
    for (const candidate of usernameCandidates(username)) {
      try {
        return await store.users.create({
          username: candidate,
          displayName: displayName.trim().slice(0, 100) || candidate,
          passwordHash,
          now: clock.now(),
        })
      } catch (e) {
        if (!isAppError(e, 'conflict')) {
          throw e
        }
        lastError = e
      }
    }
    throw lastError
  }

  async function localUser(communityId: number, member: Member): Promise<User | undefined> {
    const accounts = await store.members.accounts(communityId, member.id)
    const local = accounts.find((a) => a.platform === localPlatform)
    return local ? store.users.get(Number(local.externalId)) : undefined
  }

  /** The member's dashboard user, or a new one (no usable password) linked to the member. */
  async function dashboardUser(communityId: number, member: Member): Promise<User> {
    const existing = await localUser(communityId, member)
    if (existing) {
      return existing
    }
    const user = await createUser({ username: member.username, displayName: member.displayName })
    try {
      await store.members.linkAccount(communityId, member.id, {
        platform: localPlatform,
        externalId: String(user.id),
        username: user.username,
      })
      return user
    } catch (e) {
      // A second sign-in raced this one and linked its own user first: use that one.
      const linked = isAppError(e, 'conflict') ? await localUser(communityId, member) : undefined
      if (linked) {
        return linked
      }
      throw e
    }
  }

  return {
    logger: deps.logger,
    now: () => clock.now(),
    setTimer: (ms, fn) => clock.setTimer(ms, fn),
    publicUrl: deps.publicUrl,
    sessionBinding(request) {
      const session = request.authSession
      return session && createHash('sha256').update(`${session.id}:${session.csrfToken}`).digest('base64url')
    },
    deriveKey(purpose) {
      return derivePlatformKey(deps.secretKey, purpose)
    },
    async requirePermission(request, communityId, permission) {
      return (await requirePermission(deps, request, communityId, permission)).member
    },
    async signInMember(request, reply, communityId, member) {
      const user = await dashboardUser(communityId, member)
      await startSession(deps, request, reply, user)
      return user
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
