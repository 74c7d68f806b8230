import { AppError } from '../../errors.ts'
import type { Clock } from '../../scheduler/clock.ts'

export interface LoginLimiter {
  /** Throws rate_limited while the username has had too many failed sign-ins lately. */
  check(username: string): void
  failed(username: string): void
  succeeded(username: string): void
}

interface Window {
  failures: number
  startedAt: number
}

/**
 * Failed sign-ins per username, whatever address they come from: the per-address limit alone
 * lets many addresses guess one account's password. Kept in memory (per process); the map is
 * pruned of finished windows when it grows, so a flood of made-up usernames cannot fill it.
 */
export function createLoginLimiter(options: { clock: Clock; maxFailures: number; windowMs: number }): LoginLimiter {
  const { clock, maxFailures, windowMs } = options
  const windows = new Map<string, Window>()
  const maxEntries = 10_000

  function current(username: string): Window | undefined {
    const window = windows.get(username)
    if (window && clock.now() - window.startedAt >= windowMs) {
      windows.delete(username)
      return undefined
    }
    return window
  }

  function prune(): void {
    const now = clock.now()
    for (const [username, window] of windows) {
      if (now - window.startedAt >= windowMs) {
        windows.delete(username)
      }
    }
    // Still full: every entry is a live attack window; drop the oldest rather than grow.
    for (const username of windows.keys()) {
      if (windows.size < maxEntries) {
        break
      }
      windows.delete(username)
    }
  }

  return {
    check(username) {
      const window = current(username)
      if (window && window.failures >= maxFailures) {
        const seconds = Math.ceil((window.startedAt + windowMs - clock.now()) / 1000)
        throw new AppError('rate_limited', `too many failed sign-ins for this username; try again in ${seconds} s`)
      }
    },
    failed(username) {
      const window = current(username)
      if (window) {
        window.failures += 1
        return
      }
      if (windows.size >= maxEntries) {
        prune()
      }
      windows.set(username, { failures: 1, startedAt: clock.now() })
    },
    succeeded(username) {
      windows.delete(username)
    },
  }
}
