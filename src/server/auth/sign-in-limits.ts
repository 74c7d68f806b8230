import { AppError } from '../../errors.ts'
import type { Clock } from '../../scheduler/clock.ts'
import type { Store } from '../../store/store.ts'

interface Limit {
  max: number
  windowMs: number
}

/**
 * Per address: every attempt on a route that checks a password or makes an account. Per
 * username: sign-in attempts, from any address, forgotten on a right password (so it limits
 * failures); the per-address limit alone would let many addresses guess one account's password.
 */
export const signInLimits = {
  perAddress: { max: 10, windowMs: 60_000 },
  perUsername: { max: 10, windowMs: 15 * 60_000 },
} as const satisfies Record<string, Limit>

export interface SignInLimits {
  /**
   * Counts an attempt from `address` (and at `username`, for a sign-in) before any password is
   * checked, and throws rate_limited when it is past a limit: of 50 attempts sent at once, only
   * the first 10 are checked. The counts are in the database, shared by every process.
   */
  attempt(input: { address: string; username?: string }): Promise<void>
  /** The password was right: the username's attempts are forgotten. */
  succeeded(username: string): Promise<void>
}

const usernameKey = (username: string) => `sign-in:username:${username}`

export function createSignInLimits(deps: { store: Store; clock: Clock }): SignInLimits {
  const { store, clock } = deps

  async function count(key: string, limit: Limit, tooMany: string): Promise<void> {
    const now = clock.now()
    const { attempts, endsAt } = await store.attempts.count(key, limit.windowMs, now)
    if (attempts === 1) {
      // A window began: drop the ended ones, so made-up usernames and addresses cannot pile up.
      await store.attempts.removeEnded(now)
    }
    if (attempts > limit.max) {
      throw new AppError('rate_limited', `${tooMany}; try again in ${Math.ceil((endsAt - now) / 1000)} s`)
    }
  }

  return {
    async attempt({ address, username }) {
      await count(`sign-in:address:${address}`, signInLimits.perAddress, 'too many attempts from this address')
      if (username !== undefined) {
        await count(usernameKey(username), signInLimits.perUsername, 'too many failed sign-ins for this username')
      }
    },
    async succeeded(username) {
      await store.attempts.clear(usernameKey(username))
    },
  }
}
