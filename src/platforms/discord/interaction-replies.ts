import { Routes } from 'discord-api-types/v10'
import type { JsonObject } from '../../domain/json.ts'
import { callDiscord, discordRest } from './client.ts'
import type { DiscordDeps } from './deps.ts'

/**
 * The answers that follow a deferred one, through the interaction's webhook (its token is the
 * credential, for 15 minutes: no bot token is sent).
 */

/** `PATCH /webhooks/{application}/{token}/messages/@original`: the deferred answer, or the clicked message, rewritten. */
export async function editOriginalAnswer(deps: DiscordDeps, token: string, body: JsonObject): Promise<void> {
  await callDiscord('answer the interaction', () =>
    discordRest(deps.options).patch(Routes.webhookMessage(deps.options.clientId, token, '@original'), {
      body,
      auth: false,
    }),
  )
}

/** `POST /webhooks/{application}/{token}`: a further message (ephemeral with `flags` 64). */
export async function followUpAnswer(deps: DiscordDeps, token: string, body: JsonObject): Promise<void> {
  await callDiscord('follow the interaction up', () =>
    discordRest(deps.options).post(Routes.webhook(deps.options.clientId, token), { body, auth: false }),
  )
}
