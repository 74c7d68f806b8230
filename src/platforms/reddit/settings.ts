import { z } from 'zod'
import type { RedditOptions } from './options.ts'
import { allOrNone } from '../kit/all-or-none.ts'

const credentialVars = ['REDDIT_CLIENT_ID', 'REDDIT_CLIENT_SECRET', 'REDDIT_USER_AGENT'] as const

/** Unset or empty (as an env file's `NAME=` leaves it): not given. */
const optional = z
  .string()
  .trim()
  .optional()
  .transform((value) => (value === '' ? undefined : value))

/** A base URL without its trailing slash. */
const baseUrl = (what: string, fallback: string) =>
  z
    .url({ protocol: /^https?$/, error: `must be an http:// or https:// URL ${what}` })
    .default(fallback)
    .transform((url) => url.replace(/\/+$/, ''))

/**
 * Reddit's rule for a user agent (its API rules: generic agents are throttled hard):
 * `<platform>:<app id>:<version> (by /u/<username>)`, e.g. `web:policykit:1.0 (by /u/example)`.
 */
export const redditUserAgent = /^[^\s:]+:[^\s:]+:v?[0-9][^\s:]* \(by \/u\/[A-Za-z0-9_-]{3,20}\)$/

/**
 * Reddit's settings from the environment: the web app's id and secret and a user agent in
 * Reddit's form (all three or none: none leaves Reddit off), the poll interval, and for tests
 * against a fake Reddit the OAuth and API base URLs.
 */
export const redditSettings = z
  .object({
    REDDIT_CLIENT_ID: optional,
    REDDIT_CLIENT_SECRET: optional,
    REDDIT_USER_AGENT: optional.refine((value) => value === undefined || redditUserAgent.test(value), {
      error:
        'must be in Reddit’s form <platform>:<app id>:<version> (by /u/<username>), e.g. web:policykit:1.0 (by /u/you)',
    }),
    REDDIT_OAUTH_URL: baseUrl('(the authorize page and token endpoint host)', 'https://www.reddit.com'),
    REDDIT_API_URL: baseUrl('(the OAuth API host)', 'https://oauth.reddit.com'),
    REDDIT_POLL_INTERVAL_MS: z
      .string()
      .regex(/^\d+$/, 'must be a whole number of milliseconds')
      .optional()
      .transform((value) => (value === undefined ? 10_000 : Number(value)))
      .refine((ms) => ms >= 50 && ms <= 3_600_000, 'must be between 50 and 3600000 (an hour)'),
  })
  .superRefine(allOrNone('Reddit', credentialVars))
  .transform((e): RedditOptions | null =>
    e.REDDIT_CLIENT_ID !== undefined && e.REDDIT_CLIENT_SECRET !== undefined && e.REDDIT_USER_AGENT !== undefined
      ? {
          clientId: e.REDDIT_CLIENT_ID,
          clientSecret: e.REDDIT_CLIENT_SECRET,
          userAgent: e.REDDIT_USER_AGENT,
          oauthUrl: e.REDDIT_OAUTH_URL,
          apiUrl: e.REDDIT_API_URL,
          pollIntervalMs: e.REDDIT_POLL_INTERVAL_MS,
        }
      : null,
  )
