import type { Community } from '../domain/community.ts'
import type { JsonObject } from '../domain/json.ts'
import type { Member } from '../domain/member.ts'
import { localPlatform, type User } from '../domain/user.ts'
import { AppError } from '../errors.ts'
import { withAdminRole } from '../kits/admin-role.ts'
import { createCommunityWithKit } from '../kits/apply-kit.ts'
import type { Store } from '../store/store.ts'
import { hashPassword } from './auth/password.ts'
import { randomToken, safeEqual } from '../secret-token.ts'
import type { ServerDeps } from './server-deps.ts'
import { usernameCandidates } from './username-candidates.ts'

export interface FirstCommunityInput {
  /** The one-time set-up token `npm start` printed. */
  token: string
  communityName: string
  /** A starter kit's name. */
  kit: string
  /** The first member; their dashboard login gets this name (a free variant of it for `platform-only`). */
  creator: { username: string; displayName: string }
  /**
   * A login with this password, or (`platform-only`) one nobody knows the password of, for a
   * founder who signs in through a platform. The password is hashed only once the token is good.
   */
  user: { password: string } | 'platform-only'
  /** The creator's platform accounts, linked to their member. */
  accounts?: readonly { platform: string; externalId: string; username: string }[]
  /** A platform connection stored with the community, switched on (its credentials encrypted). */
  integration?: { platform: string; externalId: string; config: JsonObject; credentials: JsonObject }
}

export interface FirstCommunity {
  community: Community
  creator: Member
  /** The creator's dashboard login, linked to them with a `local` account. */
  user: User
}

/**
 * First run: while no community exists, the set-up token lets one person create the first
 * community. Shared by the password set-up route and by platforms that found a community (Set up
 * with Slack), so both check the token the same way and one request runs at a time.
 */
export interface FirstRun {
  /** Whether `token` is the set-up token (compared in constant time) and no community exists yet. */
  needed(token: string): Promise<boolean>
  /**
   * Creates the community from the kit plus the Admin role, its creator (given both), their
   * login, accounts and integration, in one transaction; `forbidden` for a wrong or used token,
   * `conflict` while another set-up runs, `invalid_input` for an unknown kit.
   */
  setUp(input: FirstCommunityInput): Promise<FirstCommunity>
}

/** The key the set-up under way is counted at; two minutes is far longer than one takes. */
const setUpKey = 'set-up'
const setUpWindowMs = 2 * 60_000

const refused = () => new AppError('forbidden', 'wrong set-up token, or PolicyKit is already set up')

/** The first free username among the candidates for `wish`; read in the transaction, which a failed insert would abort. */
async function freeUsername(store: Store, wish: string): Promise<string> {
  const candidates = usernameCandidates(wish)
  for (const candidate of candidates) {
    if (!(await store.users.findForSignIn(candidate))) {
      return candidate
    }
  }
  throw new AppError('conflict', `no free username for ${wish}`)
}

export function createFirstRun(deps: Pick<ServerDeps, 'store' | 'clock' | 'setupToken'>): FirstRun {
  const { store, clock, setupToken } = deps
  const tokenMatches = (token: string) => setupToken !== null && safeEqual(token, setupToken)

  return {
    async needed(token) {
      return tokenMatches(token) && (await store.communities.listAll()).length === 0
    },

    async setUp(input) {
      if (!tokenMatches(input.token)) {
        throw refused()
      }
      // Two set-up requests at once (a double click, both flows, two processes) must not make two
      // communities: the first to count an attempt holds the set-up until it ends (or, should
      // its process die, until the window ends).
      const { attempts } = await store.attempts.count(setUpKey, setUpWindowMs, clock.now())
      if (attempts > 1) {
        throw new AppError('conflict', 'set-up is already under way')
      }
      try {
        const kit = withAdminRole(input.kit)
        const platformOnly = input.user === 'platform-only'
        // Nobody knows a platform-only login's password: it signs in through the platform.
        const passwordHash = await hashPassword(input.user === 'platform-only' ? randomToken() : input.user.password)
        const now = clock.now()
        const displayName = input.creator.displayName.trim().slice(0, 100) || input.creator.username
        return await store.transaction(async (tx) => {
          if ((await tx.communities.listAll()).length > 0) {
            throw refused()
          }
          const { community, creator } = await createCommunityWithKit(tx, {
            name: input.communityName,
            kit,
            creator: { username: input.creator.username, displayName },
            now,
          })
          const username = platformOnly ? await freeUsername(tx, input.creator.username) : input.creator.username
          const user = await tx.users.create({ username, displayName, passwordHash, now })
          for (const account of [
            { platform: localPlatform, externalId: String(user.id), username: user.username },
            ...(input.accounts ?? []),
          ]) {
            await tx.members.linkAccount(community.id, creator.id, account)
          }
          if (input.integration) {
            await tx.integrations.create(community.id, { ...input.integration, now })
          }
          return { community, creator, user }
        })
      } finally {
        await store.attempts.clear(setUpKey)
      }
    },
  }
}
