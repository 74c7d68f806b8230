import { Routes } from 'discord-api-types/v10'
import { z } from 'zod'
import type { JsonObject } from '../../../domain/json.ts'
import { AppError } from '../../../errors.ts'
import { channelArgOf, channelOf, messageArg } from '../../kit/policy-args.ts'
import type { PolicyCallContext, PolicyFunction } from '../../platform.ts'
import { callDiscord, discordRest } from '../client.ts'
import { discordPermissionBits, memberGuildPermissions } from '../connect/permissions.ts'
import type { DiscordDeps } from '../deps.ts'
import { discordEchoes, expectingEcho } from '../echoes.ts'
import { ensureDiscordMember, guildMembers } from '../users.ts'
import { initiateVote } from '../voting/initiate-vote.ts'
import {
  discordIdOf,
  discordIdsOf,
  parseArgs,
  policyUser,
  resolvePeople,
  snowflakeArg,
  targetChannel,
} from './policy-call.ts'

const content = z.string().min(1).max(2000)
const postMessageArgs = z.strictObject({
  text: content,
  channel: snowflakeArg.optional(),
  replyTo: snowflakeArg.optional(),
})
const directMessageArgs = z.strictObject({ text: content, users: z.array(policyUser).min(1) })
const channelArg = channelArgOf(snowflakeArg)
const channelName = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[\p{Ll}\p{Lo}\p{N}_-]+$/u, 'lower case letters, digits, - and _ only')
const renameArgs = z.strictObject({ channel: snowflakeArg.optional(), name: channelName })
const memberArgs = z.strictObject({ user: policyUser })
const roleArgs = z.strictObject({ user: policyUser, role: snowflakeArg })

const messageJson = z.object({ id: z.string(), channel_id: z.string() })
const channelJson = z.object({
  id: z.string(),
  type: z.number(),
  name: z.string().nullable().optional(),
  position: z.number().optional(),
  permission_overwrites: z
    .array(z.object({ id: z.string(), type: z.number(), allow: z.string(), deny: z.string() }))
    .optional(),
})
const guildJson = z.object({ id: z.string(), owner_id: z.string() })
const rolesJson = z.array(z.object({ id: z.string(), permissions: z.string() }))

function guildOf(ctx: PolicyCallContext): string {
  if (ctx.integration === null) {
    throw new AppError('conflict', 'Discord is not connected to this community')
  }
  return ctx.integration.externalId
}

/**
 * A member's permissions in a channel, as Discord computes them: the guild's, then the channel's
 * overwrites for @everyone, for their roles (together) and for them.
 */
function channelPermissions(
  base: bigint,
  guildId: string,
  userId: string,
  roleIds: readonly string[],
  overwrites: ReadonlyArray<{ id: string; type: number; allow: string; deny: string }>,
): bigint {
  if ((base & discordPermissionBits.administrator) !== 0n) {
    return ~0n
  }
  let bits = base
  const apply = (o: { allow: string; deny: string } | undefined) => {
    if (o !== undefined) {
      bits = (bits & ~BigInt(o.deny)) | BigInt(o.allow)
    }
  }
  apply(overwrites.find((o) => o.type === 0 && o.id === guildId))
  let allow = 0n
  let deny = 0n
  for (const o of overwrites.filter((o) => o.type === 0 && roleIds.includes(o.id))) {
    allow |= BigInt(o.allow)
    deny |= BigInt(o.deny)
  }
  apply({ allow: allow.toString(), deny: deny.toString() })
  apply(overwrites.find((o) => o.type === 1 && o.id === userId))
  return bits
}

/**
 * What policy code may call as `discord.<fn>(…)` when the community has connected Discord.
 * Arguments and results are plain data; people are given as members (id, username or member
 * object) or Discord ids and mapped to their linked Discord accounts. The channel defaults to the
 * governed action's.
 */
export function discordFunctions(deps: DiscordDeps): Record<string, PolicyFunction> {
  const { ports, options } = deps
  const rest = () => discordRest(options)

  return {
    /** `discord.postMessage({ text, channel?, replyTo? })`: the bot posts; `{ channel, message }`. */
    async postMessage(ctx, arg) {
      const args = parseArgs('postMessage', postMessageArgs, messageArg(arg))
      const channel = targetChannel(ctx, 'postMessage', args.channel)
      const posted = messageJson.parse(
        await callDiscord('post the message', () =>
          rest().post(Routes.channelMessages(channel), {
            body: {
              content: args.text,
              allowed_mentions: { parse: [] },
              ...(args.replyTo === undefined
                ? {}
                : { message_reference: { message_id: args.replyTo, fail_if_not_exists: false } }),
            },
          }),
        ),
      )
      return { channel: posted.channel_id, message: posted.id }
    },

    /** `discord.sendDirectMessage({ text, users })`: one direct message from the bot to each; `[{ user, channel, message }]`. */
    async sendDirectMessage(ctx, arg) {
      const args = parseArgs('sendDirectMessage', directMessageArgs, arg)
      const ids = discordIdsOf(await resolvePeople(ports.members, ctx.communityId, args.users), 'message')
      const sent: JsonObject[] = []
      for (const user of ids) {
        const dm = messageJson
          .pick({ id: true })
          .parse(
            await callDiscord('open the direct message', () =>
              rest().post(Routes.userChannels(), { body: { recipient_id: user } }),
            ),
          )
        const message = messageJson.parse(
          await callDiscord('send the direct message', () =>
            rest().post(Routes.channelMessages(dm.id), {
              body: { content: args.text, allowed_mentions: { parse: [] } },
            }),
          ),
        )
        sent.push({ user, channel: dm.id, message: message.id })
      }
      return sent
    },

    initiateVote: initiateVote(deps),

    /**
     * `discord.getUsersInChannel(channel?)`: the people who can see the channel (its permission
     * overwrites applied), as `[{ id, username, displayName, discordId }]`; bots left out.
     */
    async getUsersInChannel(ctx, arg) {
      const channelId = targetChannel(
        ctx,
        'getUsersInChannel',
        channelOf(parseArgs('getUsersInChannel', channelArg, arg)),
      )
      const guildId = guildOf(ctx)
      const [channel, guild, roles] = await Promise.all([
        callDiscord('read the channel', () => rest().get(Routes.channel(channelId))).then((c) => channelJson.parse(c)),
        callDiscord('read the guild', () => rest().get(Routes.guild(guildId))).then((g) => guildJson.parse(g)),
        callDiscord('read the roles', () => rest().get(Routes.guildRoles(guildId))).then((r) => rolesJson.parse(r)),
      ])
      const people: JsonObject[] = []
      for await (const m of guildMembers(options, guildId)) {
        if (m.user.bot === true) {
          continue
        }
        const base = memberGuildPermissions({
          guildId,
          ownerId: guild.owner_id,
          userId: m.user.id,
          memberRoleIds: m.roles,
          roles,
        })
        const bits = channelPermissions(base, guildId, m.user.id, m.roles, channel.permission_overwrites ?? [])
        if ((bits & discordPermissionBits.viewChannel) === 0n) {
          continue
        }
        const member = await ensureDiscordMember(ports.members, ctx.communityId, m.user)
        people.push({
          id: member.id,
          username: member.username,
          displayName: member.displayName,
          discordId: m.user.id,
        })
      }
      return people
    },

    /** `discord.getChannels()`: the guild's text channels, `[{ id, name, position }]`. */
    async getChannels(ctx) {
      const guildId = guildOf(ctx)
      const channels = z
        .array(channelJson)
        .parse(await callDiscord('list the channels', () => rest().get(Routes.guildChannels(guildId))))
      return channels
        .filter((c) => c.type === 0)
        .map((c) => ({ id: c.id, name: c.name ?? null, position: c.position ?? null }))
    },

    /** `discord.renameChannel({ channel?, name })`: `{ channel, previousName }`. */
    async renameChannel(ctx, arg) {
      const args = parseArgs('renameChannel', renameArgs, arg)
      const channel = targetChannel(ctx, 'renameChannel', args.channel)
      const before = channelJson.parse(await callDiscord('read the channel', () => rest().get(Routes.channel(channel))))
      await expectingEcho(ports, ctx.communityId, discordEchoes.rename(channel, args.name), () =>
        callDiscord('rename the channel', () => rest().patch(Routes.channel(channel), { body: { name: args.name } })),
      )
      return { channel, previousName: before.name ?? null }
    },

    /** `discord.kickMember({ user })`: removes them from the guild (an invite lets them back). */
    async kickMember(ctx, arg) {
      const args = parseArgs('kickMember', memberArgs, arg)
      const user = await discordIdOf(ports.members, ctx.communityId, args.user, 'remove from the server')
      await expectingEcho(ports, ctx.communityId, discordEchoes.memberRemoved(user), () =>
        callDiscord('kick the member', () => rest().delete(Routes.guildMember(guildOf(ctx), user))),
      )
      return { user }
    },

    /** `discord.addRole({ user, role })`: gives them the Discord role. */
    async addRole(ctx, arg) {
      const args = parseArgs('addRole', roleArgs, arg)
      const user = await discordIdOf(ports.members, ctx.communityId, args.user, 'give a role')
      await expectingEcho(ports, ctx.communityId, discordEchoes.memberRoles(user), () =>
        callDiscord('add the role', () => rest().put(Routes.guildMemberRole(guildOf(ctx), user, args.role))),
      )
      return { user, role: args.role }
    },

    /** `discord.removeRole({ user, role })`: takes the Discord role from them. */
    async removeRole(ctx, arg) {
      const args = parseArgs('removeRole', roleArgs, arg)
      const user = await discordIdOf(ports.members, ctx.communityId, args.user, 'take a role from')
      await expectingEcho(ports, ctx.communityId, discordEchoes.memberRoles(user), () =>
        callDiscord('remove the role', () => rest().delete(Routes.guildMemberRole(guildOf(ctx), user, args.role))),
      )
      return { user, role: args.role }
    },
  }
}
