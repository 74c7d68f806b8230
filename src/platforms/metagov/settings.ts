import { z } from 'zod'
import type { MetagovOptions } from './options.ts'

/**
 * Metagov's settings from the environment: `METAGOV_URL`, the base URL of the Metagov gateway
 * deployed beside PolicyKit (given: Metagov is on; absent or empty: off). The gateway has no
 * authentication of its own, so it must be reachable by PolicyKit only.
 */
export const metagovSettings = z
  .object({
    METAGOV_URL: z
      .string()
      .trim()
      .optional()
      .transform((value) => (value === '' ? undefined : value))
      .refine((value) => value === undefined || /^https?:\/\/[^\s/]+/.test(value), {
        error: 'must be an http:// or https:// URL (the Metagov gateway, e.g. http://127.0.0.1:8000)',
      }),
  })
  .transform((e): MetagovOptions | null =>
    e.METAGOV_URL === undefined ? null : { url: e.METAGOV_URL.replace(/\/+$/, '') },
  )
