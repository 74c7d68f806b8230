/**
 * Reddit's rate limit as its answers report it (`X-Ratelimit-Remaining`, `-Used`, `-Reset`:
 * requests left and used in the current window, seconds until it resets; 100 a minute per
 * client). The poller paces itself by it; a 429 empties it until the reset.
 */
export interface RateBudget {
  remaining: number | null
  used: number | null
  /** When the window resets (ms since the epoch); null until Reddit has said. */
  resetAt: number | null
}

export function rateBudget(): RateBudget {
  return { remaining: null, used: null, resetAt: null }
}

/** Reads the three headers of one answer into `budget` (absent or malformed headers change nothing). */
export function noteRateHeaders(budget: RateBudget, headers: Headers, now: number): void {
  const number = (name: string) => {
    const value = headers.get(name)
    const parsed = value === null ? NaN : Number(value)
    return Number.isFinite(parsed) && parsed >= 0 ? parsed : null
  }
  const remaining = number('x-ratelimit-remaining')
  const used = number('x-ratelimit-used')
  const reset = number('x-ratelimit-reset')
  if (remaining !== null) {
    budget.remaining = remaining
  }
  if (used !== null) {
    budget.used = used
  }
  if (reset !== null) {
    budget.resetAt = now + reset * 1000
  }
}

/**
 * How long to wait before spending `requests` more: nothing while the budget has them, else
 * until the window resets. Spreading what is left over the rest of the window keeps a busy
 * subreddit from using it all at once.
 */
export function waitForBudget(budget: RateBudget, requests: number, now: number): number {
  if (budget.remaining === null || budget.resetAt === null) {
    return 0
  }
  const untilReset = Math.max(0, budget.resetAt - now)
  if (budget.remaining < requests) {
    return untilReset
  }
  const polls = Math.floor(budget.remaining / requests)
  return polls > 0 ? Math.floor(untilReset / polls) : untilReset
}
