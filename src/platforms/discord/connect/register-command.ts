import { Routes } from 'discord-api-types/v10'
import { callDiscord, discordRest } from '../client.ts'
import type { DiscordOptions } from '../options.ts'

/** `/policykit <text>`: type 1 (chat input) with one required string option, `text`. */
export const policykitCommand = {
  name: 'policykit',
  description: 'Send something to PolicyKit (its trigger policies see it)',
  type: 1,
  options: [{ type: 3, name: 'text', description: 'What to send', required: true }],
}

/** Registers (or updates: Discord upserts by name) the `/policykit` command in the guild. */
export async function registerPolicykitCommand(options: DiscordOptions, guildId: string): Promise<void> {
  await callDiscord('register /policykit', () =>
    discordRest(options).post(Routes.applicationGuildCommands(options.clientId, guildId), { body: policykitCommand }),
  )
}
