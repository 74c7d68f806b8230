import { Routes } from 'discord-api-types/v10'
import type { PlatformContext } from '../platform.ts'
import { callDiscord, discordRest } from './client.ts'
import type { DiscordDeps } from './deps.ts'
import { discordPlatformName } from './names.ts'

/** The name PolicyKit's channel webhooks carry (one per channel, made on first use). */
const webhookName = 'PolicyKit'

const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null ? { ...value } : {}

/** The channel's PolicyKit webhook (ours: made by this application, so it carries a token). */
async function channelWebhook(deps: DiscordDeps, channel: string): Promise<{ id: string; token: string }> {
  const rest = discordRest(deps.options)
  const hooks = await callDiscord('list the channel webhooks', () => rest.get(Routes.channelWebhooks(channel)))
  const ours = (Array.isArray(hooks) ? hooks : [])
    .map(record)
    .find((h) => h.application_id === deps.options.clientId && typeof h.token === 'string')
  const hook =
    ours ??
    record(
      await callDiscord('make the channel webhook', () =>
        rest.post(Routes.channelWebhooks(channel), { body: { name: webhookName } }),
      ),
    )
  return { id: String(hook.id), token: String(hook.token) }
}

/** Their Discord name and picture: the member's account there, else their PolicyKit name. */
async function attribution(
  deps: DiscordDeps,
  ctx: PlatformContext,
  initiatorId: number,
): Promise<{ username: string; avatar_url?: string } | null> {
  const member = await deps.ports.members.get(ctx.communityId, initiatorId)
  if (!member) {
    return null
  }
  const account = (await deps.ports.members.accounts(ctx.communityId, member.id)).find(
    (a) => a.platform === discordPlatformName,
  )
  if (!account) {
    return { username: member.displayName }
  }
  const user = record(
    await callDiscord('read the author', () => discordRest(deps.options).get(Routes.user(account.externalId))),
  )
  const name =
    typeof user.global_name === 'string'
      ? user.global_name
      : typeof user.username === 'string'
        ? user.username
        : member.displayName
  return typeof user.avatar === 'string'
    ? { username: name, avatar_url: `https://cdn.discordapp.com/avatars/${account.externalId}/${user.avatar}.png` }
    : { username: name }
}

/**
 * Posts `text`: a member's message carried out after its vote goes through the channel's webhook
 * under the author's name and picture (as if they had posted it); PolicyKit's own messages and
 * replies (a webhook cannot reply) come from the bot. Returns the new message's id.
 */
export async function repostAsAuthor(
  deps: DiscordDeps,
  ctx: PlatformContext,
  initiatorId: number | null,
  params: { channel: string; text: string; replyTo?: string | undefined },
): Promise<string> {
  const rest = discordRest(deps.options)
  const author = initiatorId === null || params.replyTo !== undefined ? null : await attribution(deps, ctx, initiatorId)
  if (author !== null && params.text !== '') {
    const hook = await channelWebhook(deps, params.channel)
    const sent = record(
      await callDiscord('re-post the message', () =>
        rest.post(Routes.webhook(hook.id, hook.token), {
          body: { content: params.text, ...author, allowed_mentions: { parse: [] } },
          query: new URLSearchParams({ wait: 'true' }),
          auth: false,
        }),
      ),
    )
    return String(sent.id)
  }
  const sent = record(
    await callDiscord('post the message', () =>
      rest.post(Routes.channelMessages(params.channel), {
        body: {
          content: params.text,
          allowed_mentions: { parse: [] },
          ...(params.replyTo === undefined
            ? {}
            : { message_reference: { message_id: params.replyTo, fail_if_not_exists: false } }),
        },
      }),
    ),
  )
  return String(sent.id)
}
