import { Routes } from 'discord-api-types/v10'
import type { Integration } from '../../domain/community.ts'
import { AppError, isAppError } from '../../errors.ts'
import { callDiscord, discordRest } from './client.ts'
import type { DiscordOptions } from './options.ts'

/**
 * Whether the bot is still in the connection's guild (`GET /guilds/{id}` answers only then).
 * Switching a connection on after the bot was removed would only fail later: it is refused now,
 * with what to do instead. Discord being unreachable is not a refusal.
 */
export function discordCheckConnection(options: DiscordOptions) {
  return async (_credentials: unknown, integration: Integration): Promise<void> => {
    try {
      await callDiscord('read the guild', () => discordRest(options).get(Routes.guild(integration.externalId)))
    } catch (e) {
      if (isAppError(e, 'platform_rejected')) {
        throw new AppError(
          'conflict',
          `the PolicyKit bot is no longer in this Discord server (${e.message}): add it again from Settings instead`,
          { cause: e },
        )
      }
      throw e
    }
  }
}
