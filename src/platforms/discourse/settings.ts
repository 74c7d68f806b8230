import { z } from 'zod'
import { defaultPollIntervalMs, type DiscourseOptions } from './options.ts'

/**
 * Discourse's settings from the environment: `DISCOURSE_WEBHOOK_KEY`, the server's key from which
 * each forum's webhook secret is derived (given: Discourse is on; absent or empty: off). A forum
 * is connected per community with its own URL and admin API key. `DISCOURSE_POLL_SECONDS` (default
 * 30, fractions allowed): how often pending proposals with a Discourse poll read its voters.
 * `DISCOURSE_PRIVATE_ADDRESSES` (`allow` or the default `refuse`): whether a forum on a private
 * network or this host may be connected and called (`forumFetch`).
 */
export const discourseSettings = z
  .object({
    DISCOURSE_WEBHOOK_KEY: z
      .string()
      .trim()
      .optional()
      .transform((value) => (value === '' ? undefined : value))
      .refine((value) => value === undefined || value.length >= 32, {
        error: 'must be at least 32 characters (e.g. openssl rand -hex 32)',
      }),
    DISCOURSE_POLL_SECONDS: z
      .string()
      .trim()
      .optional()
      .transform((value) => (value === '' || value === undefined ? undefined : Number(value)))
      .refine((value) => value === undefined || (Number.isFinite(value) && value >= 0.05 && value <= 3600), {
        error: 'must be a number of seconds from 0.05 to 3600 (default 30)',
      }),
    DISCOURSE_PRIVATE_ADDRESSES: z.enum(['allow', 'refuse']).default('refuse'),
  })
  .transform((e): DiscourseOptions | null =>
    e.DISCOURSE_WEBHOOK_KEY === undefined
      ? null
      : {
          webhookKey: e.DISCOURSE_WEBHOOK_KEY,
          pollIntervalMs:
            e.DISCOURSE_POLL_SECONDS === undefined
              ? defaultPollIntervalMs
              : Math.round(e.DISCOURSE_POLL_SECONDS * 1000),
          privateAddresses: e.DISCOURSE_PRIVATE_ADDRESSES === 'allow',
        },
  )
