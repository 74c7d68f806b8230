import { z } from 'zod'
import type { DiscourseOptions } from './options.ts'

/**
 * Discourse's settings from the environment: `DISCOURSE_WEBHOOK_KEY`, the server's key from which
 * each forum's webhook secret is derived (given: Discourse is on; absent or empty: off). A forum
 * is connected per community with its own URL and admin API key, so nothing else is needed here.
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
  })
  .transform((e): DiscourseOptions | null =>
    e.DISCOURSE_WEBHOOK_KEY === undefined ? null : { webhookKey: e.DISCOURSE_WEBHOOK_KEY },
  )
