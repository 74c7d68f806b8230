import { Routes } from 'discord-api-types/v10'
import { z } from 'zod'
import type { JsonObject } from '../../domain/json.ts'
import { AppError } from '../../errors.ts'
import { defineAction, type ActionDef, type PlatformContext } from '../platform.ts'
import { callDiscord, discordRest } from './client.ts'
import type { DiscordDeps } from './deps.ts'
import { discordEchoes, expectingEcho as expectEcho } from './echoes.ts'
import { repostAsAuthor } from './repost.ts'

/**
 * The governable Discord actions. Post, rename, pin and create-channel are what members also do
 * in Discord (reverted while their proposal is pending, carried out again when it passes); kick,
 * roles and direct messages are proposed in PolicyKit or by policies. Each `execute` returns what
 * its `revert` needs. The guild is the connection's (`integration.externalId`), never a param.
 */

/** Discord ids are snowflakes: decimal strings (beyond JavaScript's safe integers). */
const snowflake = z.string().regex(/^\d{15,21}$/, 'a Discord id (a snowflake of digits)')
/** Discord's rule for text channel names: 1–100 characters, lower case, no spaces. */
const channelName = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[\p{Ll}\p{Lo}\p{N}_-]+$/u, 'lower case letters, digits, - and _ only')
/** Message content: up to 2,000 characters (a member's message may be empty: attachments only). */
const content = z.string().max(2000)

const postMessageParams = z.strictObject({ channel: snowflake, text: content, replyTo: snowflake.optional() })
const renameParams = z.strictObject({ channel: snowflake, name: channelName, previousName: channelName.optional() })
const pinParams = z.strictObject({ channel: snowflake, message: snowflake })
const createChannelParams = z.strictObject({ name: channelName })
const memberParams = z.strictObject({ user: snowflake })
const roleParams = z.strictObject({ user: snowflake, role: snowflake })
const directMessageParams = z.strictObject({ user: snowflake, text: content.min(1) })

const postedResult = z.object({ channel: snowflake, message: snowflake })
const renamedResult = z.object({ previousName: channelName })
const createdResult = z.object({ channel: snowflake })

function parseResult<T>(what: string, schema: z.ZodType<T>, result: JsonObject | null): T {
  const parsed = schema.safeParse(result)
  if (!parsed.success) {
    throw new AppError('platform_rejected', `${what}: cannot revert, the action has no record of what it did`)
  }
  return parsed.data
}

/** The connected guild's id. */
function guildOf(ctx: PlatformContext): string {
  if (ctx.integration === null) {
    throw new AppError('conflict', 'Discord is not connected to this community')
  }
  return ctx.integration.externalId
}

const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null ? { ...value } : {}

export function discordActions(deps: DiscordDeps): Record<string, ActionDef> {
  const rest = () => discordRest(deps.options)
  /** Records that the gateway will report this call, so that it is not taken for a member's action. */
  const expectingEcho = <T>(ctx: PlatformContext, key: string, call: () => Promise<T>): Promise<T> =>
    expectEcho(deps.ports, ctx.communityId, key, call)
  return {
    postMessage: defineAction({
      description: 'Post a message in a channel (re-posted under its author name when a member posted it)',
      params: postMessageParams,
      result: postedResult,
      async execute(ctx, params, action) {
        const posted = await repostAsAuthor(deps, ctx, action.initiatorId, params)
        return { channel: params.channel, message: posted }
      },
      async revert(ctx, _params, result) {
        const { channel, message } = parseResult('discord.postMessage', postedResult, result)
        await expectingEcho(ctx, discordEchoes.deleteMessage(channel, message), () =>
          callDiscord('delete the message', () => rest().delete(Routes.channelMessage(channel, message))),
        )
      },
      creates: ['message'],
    }),
    renameChannel: defineAction({
      description: 'Rename a channel',
      params: renameParams,
      result: renamedResult,
      async execute(ctx, params) {
        const before = record(await callDiscord('read the channel', () => rest().get(Routes.channel(params.channel))))
        const previousName = params.previousName ?? String(before.name)
        await expectingEcho(ctx, discordEchoes.rename(params.channel, params.name), () =>
          callDiscord('rename the channel', () =>
            rest().patch(Routes.channel(params.channel), { body: { name: params.name } }),
          ),
        )
        return { previousName }
      },
      async revert(ctx, params, result) {
        const { previousName } = parseResult('discord.renameChannel', renamedResult, result)
        await expectingEcho(ctx, discordEchoes.rename(params.channel, previousName), () =>
          callDiscord('rename the channel back', () =>
            rest().patch(Routes.channel(params.channel), { body: { name: previousName } }),
          ),
        )
      },
    }),
    pinMessage: defineAction({
      description: 'Pin a message',
      params: pinParams,
      result: z.object({}),
      async execute(ctx, params) {
        await expectingEcho(ctx, discordEchoes.pins(params.channel), () =>
          callDiscord('pin the message', () => rest().put(Routes.channelPin(params.channel, params.message))),
        )
        return {}
      },
      async revert(ctx, params) {
        await expectingEcho(ctx, discordEchoes.pins(params.channel), () =>
          callDiscord('unpin the message', () => rest().delete(Routes.channelPin(params.channel, params.message))),
        )
      },
    }),
    createChannel: defineAction({
      description: 'Create a text channel',
      params: createChannelParams,
      result: createdResult,
      async execute(ctx, params) {
        const created = record(
          await expectingEcho(ctx, discordEchoes.createChannel(params.name), () =>
            callDiscord('create the channel', () =>
              rest().post(Routes.guildChannels(guildOf(ctx)), { body: { name: params.name, type: 0 } }),
            ),
          ),
        )
        return { channel: String(created.id) }
      },
      async revert(ctx, _params, result) {
        const { channel } = parseResult('discord.createChannel', createdResult, result)
        await expectingEcho(ctx, discordEchoes.deleteChannel(channel), () =>
          callDiscord('delete the channel', () => rest().delete(Routes.channel(channel))),
        )
      },
      creates: ['channel'],
    }),
    kickMember: defineAction({
      description: 'Remove a member from the guild (they may join again with an invite)',
      params: memberParams,
      async execute(ctx, params) {
        await expectingEcho(ctx, discordEchoes.memberRemoved(params.user), () =>
          callDiscord('kick the member', () => rest().delete(Routes.guildMember(guildOf(ctx), params.user))),
        )
      },
    }),
    addRole: defineAction({
      description: 'Give a member a Discord role',
      params: roleParams,
      result: z.object({}),
      async execute(ctx, params) {
        await expectingEcho(ctx, discordEchoes.memberRoles(params.user), () =>
          callDiscord('add the role', () => rest().put(Routes.guildMemberRole(guildOf(ctx), params.user, params.role))),
        )
        return {}
      },
      async revert(ctx, params) {
        await expectingEcho(ctx, discordEchoes.memberRoles(params.user), () =>
          callDiscord('remove the role', () =>
            rest().delete(Routes.guildMemberRole(guildOf(ctx), params.user, params.role)),
          ),
        )
      },
    }),
    removeRole: defineAction({
      description: 'Take a Discord role from a member',
      params: roleParams,
      result: z.object({}),
      async execute(ctx, params) {
        await expectingEcho(ctx, discordEchoes.memberRoles(params.user), () =>
          callDiscord('remove the role', () =>
            rest().delete(Routes.guildMemberRole(guildOf(ctx), params.user, params.role)),
          ),
        )
        return {}
      },
      async revert(ctx, params) {
        await expectingEcho(ctx, discordEchoes.memberRoles(params.user), () =>
          callDiscord('give the role back', () =>
            rest().put(Routes.guildMemberRole(guildOf(ctx), params.user, params.role)),
          ),
        )
      },
    }),
    sendDirectMessage: defineAction({
      description: 'Send a member a direct message from the bot',
      params: directMessageParams,
      result: postedResult,
      async execute(_ctx, params) {
        const channel = record(
          await callDiscord('open the direct message', () =>
            rest().post(Routes.userChannels(), { body: { recipient_id: params.user } }),
          ),
        )
        const sent = record(
          await callDiscord('send the direct message', () =>
            rest().post(Routes.channelMessages(String(channel.id)), { body: { content: params.text } }),
          ),
        )
        return { channel: String(channel.id), message: String(sent.id) }
      },
      async revert(_ctx, _params, result) {
        const { channel, message } = parseResult('discord.sendDirectMessage', postedResult, result)
        await callDiscord('delete the direct message', () => rest().delete(Routes.channelMessage(channel, message)))
      },
    }),
  }
}
