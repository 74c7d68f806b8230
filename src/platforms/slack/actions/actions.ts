import type { WebClient } from '@slack/web-api'
import { z } from 'zod'
import type { JsonObject } from '../../../domain/json.ts'
import { AppError, isAppError } from '../../../errors.ts'
import { defineAction, type ActionDef, type PlatformContext } from '../../platform.ts'
import { callSlack } from '../client.ts'
import { echoKey } from '../echoes.ts'
import { slackPlatformName } from '../members.ts'
import { callSlackUnless, withEcho } from './slack-calls.ts'
import { slackClients, type SlackClients } from '../slack-clients.ts'
import type { SlackDeps } from '../slack-deps.ts'

/**
 * The governable Slack actions. The four PolicyKit also sees happen on Slack (post, rename, join,
 * pin) can be reverted while their proposal is pending and carried out again when it passes;
 * kick and schedule are proposed in PolicyKit or by policies. Each `execute` returns what its
 * `revert` needs. A call PolicyKit makes comes back as an event: before each call whose event
 * would look like a member's action, the echo is recorded so the event is not governed again
 * (messages the bot posts are known by the bot's identity instead).
 */

/** `C…`, `G…` or `D…`: conversation ids, as Slack's events carry them. */
const channel = z.string().regex(/^[CGD][A-Z0-9]+$/, 'a Slack conversation id (C…, G… or D…)')
/** A message's `ts`, e.g. `1767225600.000100`. */
const ts = z.string().regex(/^\d+\.\d+$/, 'a Slack message timestamp such as 1767225600.000100')
const user = z.string().regex(/^[UW][A-Z0-9]+$/, 'a Slack user id (U…)')
/** Slack's rule for conversation names: lower case letters, digits, `-` and `_`, at most 80. */
export const conversationName = z
  .string()
  .min(1)
  .max(80)
  .regex(/^[\p{Ll}\p{Lo}\p{N}_-]+$/u, 'lower case letters, digits, - and _ only')
/** A message seen on Slack may have no text (only attachments or blocks); it is governed all the same. */
const text = z.string().max(40_000)

const postMessageParams = z.strictObject({
  channel,
  text,
  threadTs: ts.optional(),
  /** A thread reply also shown in the channel (`thread_broadcast`). */
  broadcast: z.boolean().optional(),
  /** Permalinks of the files a member shared with the message (`file_share`). */
  files: z.array(z.url()).max(100).optional(),
})
const renameParams = z.strictObject({ channel, name: conversationName, previousName: conversationName.optional() })
const memberParams = z.strictObject({ channel, user })
const pinParams = z.strictObject({ channel, ts })
const scheduleParams = z.strictObject({ channel, text: text.min(1), postAt: z.number().int().positive() })

const postedResult = z.object({ channel, ts })
const renamedResult = z.object({ previousName: conversationName })
const scheduledResult = z.object({ channel, scheduledMessageId: z.string().min(1) })

function parseResult<T>(what: string, schema: z.ZodType<T>, result: JsonObject | null): T {
  const parsed = schema.safeParse(result)
  if (!parsed.success) {
    throw new AppError('platform_rejected', `${what}: cannot revert, the action has no record of what it did`)
  }
  return parsed.data
}

/** How the re-posted message shows its author: their Slack name and picture, else their member name. */
async function authorAttribution(
  deps: SlackDeps,
  ctx: PlatformContext,
  bot: WebClient,
  initiatorId: number | null,
): Promise<{ username?: string; icon_url?: string }> {
  if (initiatorId === null) {
    return {}
  }
  const { members } = deps.ports
  const member = await members.get(ctx.communityId, initiatorId)
  if (!member) {
    return {}
  }
  const account = (await members.accounts(ctx.communityId, member.id)).find((a) => a.platform === slackPlatformName)
  if (!account) {
    return { username: member.displayName }
  }
  try {
    const { user: info } = await callSlack('users.info', () => bot.users.info({ user: account.externalId }))
    const profile = info?.profile
    const username = profile?.display_name || profile?.real_name || info?.name || member.displayName
    const icon = profile?.image_192 ?? profile?.image_72
    return icon ? { username, icon_url: icon } : { username }
  } catch (e) {
    // A user Slack no longer knows still gets the message, under their member name.
    if (isAppError(e, 'platform_rejected')) {
      return { username: member.displayName }
    }
    throw e
  }
}

/** The Slack calls behind each action, shared with the policy functions that perform them directly. */
export interface SlackOperations {
  renameConversation(
    ctx: PlatformContext,
    params: { channel: string; name: string },
  ): Promise<{ channel: string; previousName: string }>
  inviteToConversation(ctx: PlatformContext, params: { channel: string; user: string }): Promise<void>
  removeFromConversation(ctx: PlatformContext, params: { channel: string; user: string }): Promise<void>
}

export function slackOperations(deps: SlackDeps): SlackOperations {
  const clients = (ctx: PlatformContext): SlackClients => slackClients(ctx, deps.options)

  return {
    async renameConversation(ctx, { channel, name }) {
      const { bot, admin } = clients(ctx)
      const info = await callSlack('conversations.info', () => bot.conversations.info({ channel }))
      const previousName = info.channel?.name
      if (previousName === undefined) {
        throw new AppError('platform_rejected', `conversations.info: Slack gave no name for ${channel}`)
      }
      if (previousName !== name) {
        await withEcho(deps.ports.echoes, ctx, [echoKey.rename(channel, name), echoKey.renamed(channel, name)], () =>
          callSlack('conversations.rename', () => admin.conversations.rename({ channel, name })),
        )
      }
      return { channel, previousName }
    },

    async inviteToConversation(ctx, { channel, user }) {
      const { bot } = clients(ctx)
      await withEcho(deps.ports.echoes, ctx, echoKey.join(channel, user), () =>
        callSlackUnless('conversations.invite', ['already_in_channel'], () =>
          bot.conversations.invite({ channel, users: user }),
        ),
      )
    },

    async removeFromConversation(ctx, { channel, user }) {
      const { admin } = clients(ctx)
      await withEcho(deps.ports.echoes, ctx, echoKey.leave(channel, user), () =>
        callSlackUnless('conversations.kick', ['not_in_channel'], () => admin.conversations.kick({ channel, user })),
      )
    },
  }
}

export function slackActions(deps: SlackDeps): Record<string, ActionDef> {
  const clients = (ctx: PlatformContext): SlackClients => slackClients(ctx, deps.options)
  const ops = slackOperations(deps)

  const postMessage = defineAction({
    description:
      'Post a message in a Slack conversation. Seen on Slack, this is also a message shared with files, a thread ' +
      'reply sent to the channel too, and a /me message; carried out by PolicyKit, a message with files is ' +
      're-posted as its text followed by links to the files (a bot cannot share another person’s files), and ' +
      'undoing it deletes the message but not the files.',
    params: postMessageParams,
    result: postedResult,
    async execute(ctx, { channel, text, threadTs, broadcast, files }, action) {
      const { bot } = clients(ctx)
      // A bot cannot post as someone else: it posts under the author's name and picture
      // (chat:write.customize). The echo is known by the bot's identity.
      const author = await authorAttribution(deps, ctx, bot, action.initiatorId)
      const body = [text, ...(files ?? [])].filter((line) => line !== '').join('\n')
      const thread = threadTs ? { thread_ts: threadTs, ...(broadcast ? { reply_broadcast: true } : {}) } : {}
      const posted = await callSlack('chat.postMessage', () =>
        bot.chat.postMessage({ channel, text: body, ...thread, ...author }),
      )
      if (posted.ts === undefined) {
        throw new AppError('platform_rejected', 'chat.postMessage: Slack gave no ts for the message')
      }
      return { channel: posted.channel ?? channel, ts: posted.ts }
    },
    async revert(ctx, _params, result) {
      const posted = parseResult('slack.postMessage', postedResult, result)
      // Only an admin's token may delete other people's messages.
      await withEcho(deps.ports.echoes, ctx, echoKey.delete(posted.channel, posted.ts), () =>
        callSlackUnless('chat.delete', ['message_not_found'], () => clients(ctx).admin.chat.delete(posted)),
      )
    },
  })

  const renameConversation = defineAction({
    description: 'Rename a Slack channel',
    params: renameParams,
    result: renamedResult,
    async execute(ctx, { channel, name }) {
      const { previousName } = await ops.renameConversation(ctx, { channel, name })
      return { previousName }
    },
    async revert(ctx, params, result) {
      // Seen on Slack, the action carries the old name; executed by PolicyKit, its result does.
      const previous = renamedResult.safeParse(result)
      const name = previous.success ? previous.data.previousName : params.previousName
      if (name === undefined) {
        throw new AppError('platform_rejected', 'slack.renameConversation: cannot revert, the previous name is unknown')
      }
      await withEcho(
        deps.ports.echoes,
        ctx,
        [echoKey.rename(params.channel, name), echoKey.renamed(params.channel, name)],
        () =>
          callSlack('conversations.rename', () =>
            clients(ctx).admin.conversations.rename({ channel: params.channel, name }),
          ),
      )
    },
  })

  const joinConversation = defineAction({
    description: 'Add a member to a Slack channel',
    params: memberParams,
    result: memberParams,
    async execute(ctx, params) {
      await ops.inviteToConversation(ctx, params)
      return { channel: params.channel, user: params.user }
    },
    async revert(ctx, params) {
      await ops.removeFromConversation(ctx, params)
    },
  })

  const pinMessage = defineAction({
    description: 'Pin a message in a Slack conversation',
    params: pinParams,
    result: pinParams,
    async execute(ctx, { channel, ts }) {
      await withEcho(deps.ports.echoes, ctx, echoKey.pin(channel, ts), () =>
        callSlackUnless('pins.add', ['already_pinned'], () => clients(ctx).bot.pins.add({ channel, timestamp: ts })),
      )
      return { channel, ts }
    },
    async revert(ctx, { channel, ts }) {
      await withEcho(deps.ports.echoes, ctx, echoKey.unpin(channel, ts), () =>
        callSlackUnless('pins.remove', ['not_pinned', 'no_pin'], () =>
          clients(ctx).bot.pins.remove({ channel, timestamp: ts }),
        ),
      )
    },
  })

  const kickConversation = defineAction({
    description: 'Remove a member from a Slack channel',
    params: memberParams,
    result: memberParams,
    async execute(ctx, params) {
      await ops.removeFromConversation(ctx, params)
      return { channel: params.channel, user: params.user }
    },
    async revert(ctx, params) {
      await ops.inviteToConversation(ctx, params)
    },
  })

  const scheduleMessage = defineAction({
    description: 'Schedule a message in a Slack conversation',
    params: scheduleParams,
    result: scheduledResult,
    async validate(ctx, { postAt }) {
      if (postAt * 1000 <= ctx.now()) {
        throw new AppError('invalid_input', 'postAt must be in the future (Unix time in seconds)')
      }
    },
    async execute(ctx, { channel, text, postAt }) {
      const scheduled = await callSlack('chat.scheduleMessage', () =>
        clients(ctx).bot.chat.scheduleMessage({ channel, text, post_at: postAt }),
      )
      if (scheduled.scheduled_message_id === undefined) {
        throw new AppError('platform_rejected', 'chat.scheduleMessage: Slack gave no scheduled_message_id')
      }
      return { channel: scheduled.channel ?? channel, scheduledMessageId: scheduled.scheduled_message_id }
    },
    async revert(ctx, _params, result) {
      const { channel, scheduledMessageId } = parseResult('slack.scheduleMessage', scheduledResult, result)
      await callSlack('chat.deleteScheduledMessage', () =>
        clients(ctx).bot.chat.deleteScheduledMessage({ channel, scheduled_message_id: scheduledMessageId }),
      )
    },
  })

  return { postMessage, renameConversation, joinConversation, pinMessage, kickConversation, scheduleMessage }
}
