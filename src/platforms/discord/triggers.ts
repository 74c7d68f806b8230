import { z } from 'zod'
import type { TriggerDef } from '../platform.ts'

/**
 * What trigger policies may react to: `discord.slashCommand`, a member's `/policykit <text>`, with
 * `{ text, channel, user, interaction }` (Discord's ids) as `action` data and the member as its
 * initiator. Gateway events (`discord.<EVENT_NAME>`) join these once the gateway connection is in.
 */
export const discordTriggers: Record<string, TriggerDef> = {
  slashCommand: {
    description: 'A member used /policykit <text> in the guild',
    data: z.object({ text: z.string(), channel: z.string(), user: z.string(), interaction: z.string() }),
  },
}
