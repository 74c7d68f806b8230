import type { PlatformPorts } from '../platform-ports.ts'
import type { RedditCredentials } from './credentials.ts'
import type { RedditOptions } from './options.ts'
import type { RateBudget } from './rate-budget.ts'

/** What the Reddit platform is made from: its settings, its ports, and what its calls share. */
export interface RedditDeps {
  options: RedditOptions
  ports: PlatformPorts
  fetch: typeof fetch
  /** Reddit's rate limit is the app's (its client id), shared by every connection. */
  budget: RateBudget
  /** Refreshes under way, by integration id: two callers needing one wait for the same. */
  refreshing: Map<number, Promise<RedditCredentials>>
}
