import { z } from 'zod'
import type { TriggerDef } from '../platform.ts'

/** A gateway event's fields as Discord sent them (`id`, `channel_id`, `content`, `author`, …). */
const eventData = z.record(z.string(), z.json())

function trigger(description: string): TriggerDef {
  return { description, data: eventData }
}

/**
 * The gateway events of the intents PolicyKit's connection asks for (`listen/gateway.ts`), each
 * offered to trigger policies as `discord.<EVENT_NAME>` with the event's fields as `action` data
 * and the member who caused it (when Discord says) as its initiator; and `discord.slashCommand`,
 * a member's `/policykit <text>`. What PolicyKit itself caused does not trigger: its bot's and its
 * webhooks' messages, reactions and pins, and its own renames and new channels (echo records).
 */
export const discordGatewayEvents = {
  MESSAGE_CREATE: 'A message was posted in a channel',
  MESSAGE_UPDATE: 'A message was edited',
  MESSAGE_DELETE: 'A message was deleted',
  MESSAGE_DELETE_BULK: 'Messages were deleted at once',
  MESSAGE_REACTION_ADD: 'Someone reacted to a message',
  MESSAGE_REACTION_REMOVE: 'Someone removed a reaction',
  MESSAGE_REACTION_REMOVE_ALL: 'Every reaction was removed from a message',
  MESSAGE_REACTION_REMOVE_EMOJI: 'Every reaction of one emoji was removed from a message',
  CHANNEL_CREATE: 'A channel was created',
  CHANNEL_UPDATE: 'A channel was changed (renamed, moved, its topic set)',
  CHANNEL_DELETE: 'A channel was deleted',
  CHANNEL_PINS_UPDATE: 'A message was pinned or unpinned',
  THREAD_CREATE: 'A thread was created',
  THREAD_UPDATE: 'A thread was changed',
  THREAD_DELETE: 'A thread was deleted',
  GUILD_UPDATE: 'The server was changed',
  GUILD_MEMBER_ADD: 'Someone joined the server',
  GUILD_MEMBER_UPDATE: 'A member was changed (roles, nickname)',
  GUILD_MEMBER_REMOVE: 'Someone left the server, or was removed',
  GUILD_ROLE_CREATE: 'A role was created',
  GUILD_ROLE_UPDATE: 'A role was changed',
  GUILD_ROLE_DELETE: 'A role was deleted',
} as const

export type DiscordGatewayEvent = keyof typeof discordGatewayEvents

export const discordTriggers: Record<string, TriggerDef> = {
  slashCommand: {
    description: 'A member used /policykit <text> in the guild',
    data: z.object({ text: z.string(), channel: z.string(), user: z.string(), interaction: z.string() }),
  },
  ...Object.fromEntries(
    Object.entries(discordGatewayEvents).map(([name, description]) => [name, trigger(description)]),
  ),
}
