import { z } from 'zod'
import type { JsonObject } from './json.ts'

/** How often the periodic sweep re-checks a community's pending proposals: 1 s to a day. */
export const sweepSecondsSchema = z.number().int().min(1).max(86_400)

/** What a community may set about itself (through `constitution.changeSettings`). */
export interface CommunitySettings {
  sweepSeconds?: number
}

/** Stored settings as the engine reads them: a value it cannot use counts as not set. */
export function readCommunitySettings(settings: JsonObject): CommunitySettings {
  const parsed = sweepSecondsSchema.safeParse(settings['sweepSeconds'])
  return parsed.success ? { sweepSeconds: parsed.data } : {}
}
