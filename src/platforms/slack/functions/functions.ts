import { z } from 'zod'
import type { JsonObject } from '../../../domain/json.ts'
import { AppError } from '../../../errors.ts'
import { channelArgOf, channelOf, messageArg } from '../../kit/policy-args.ts'
import type { PolicyFunction } from '../../platform.ts'
import { conversationName, slackOperations } from '../actions/actions.ts'
import { callSlack } from '../client.ts'
import { initiateVote } from '../voting/initiate-vote.ts'
import { ensureSlackMember, isWorkspacePerson } from '../members.ts'
import { allPages, openConversation, parseArgs, targetChannel } from './policy-call.ts'
import { policyUser, resolvePeople, slackIdOf, slackIdsOf } from './policy-users.ts'
import { slackClients } from '../slack-clients.ts'
import type { SlackDeps } from '../slack-deps.ts'

const postMessageArgs = z.strictObject({
  text: z.string().min(1).max(40_000),
  channel: z.string().min(1).optional(),
  users: z.array(policyUser).optional(),
  /** `channel` (default); `im`: one direct message per user; `mpim`: one group DM; `ephemeral`: seen only by each user, in the channel. */
  postType: z.enum(['channel', 'im', 'mpim', 'ephemeral']).default('channel'),
  threadTs: z.string().min(1).optional(),
})

const channelArg = channelArgOf(z.string().min(1))

const conversationTypes = z.enum(['public_channel', 'private_channel', 'mpim', 'im'])
const typesArg = z.union([conversationTypes, z.array(conversationTypes).min(1)])

const renameArgs = z.strictObject({ channel: z.string().min(1).optional(), name: conversationName })
const memberArgs = z.strictObject({ channel: z.string().min(1).optional(), user: policyUser })

/** A member as the Slack functions return them. */
function memberJson(member: { id: number; username: string; displayName: string }, slackId: string): JsonObject {
  return { id: member.id, username: member.username, displayName: member.displayName, slackId }
}

/**
 * What policy code may call as `slack.<fn>(…)` when the community has connected Slack. Arguments
 * and results are plain data; people are given as members (id, username or member object) and
 * mapped to their linked Slack accounts. The channel defaults to the governed action's.
 */
export function slackFunctions(deps: SlackDeps): Record<string, PolicyFunction> {
  const { ports, options } = deps
  const ops = slackOperations(deps)

  return {
    /**
     * `slack.postMessage({ text, channel?, users?, postType?, threadTs? })`: `{ channel, ts }` for
     * a channel or group DM post, a list of them for `im` and `ephemeral` (one per user). A
     * channel post goes to everyone there: `users` matter only for the other post types.
     */
    async postMessage(ctx, arg) {
      const args = parseArgs('postMessage', postMessageArgs, messageArg(arg))
      const { bot } = slackClients(ctx, options)
      const thread = args.threadTs ? { thread_ts: args.threadTs } : {}
      const people = await resolvePeople(ports.members, ctx.communityId, args.users ?? [])
      if (args.postType !== 'channel' && people.length === 0) {
        throw new AppError('invalid_input', `slack.postMessage: postType '${args.postType}' needs users`)
      }
      const post = async (channel: string) => {
        const posted = await callSlack('chat.postMessage', () =>
          bot.chat.postMessage({ channel, text: args.text, ...thread }),
        )
        return { channel: posted.channel ?? channel, ts: posted.ts ?? null }
      }
      switch (args.postType) {
        case 'channel':
          return post(targetChannel(ctx, 'postMessage', args.channel))
        case 'mpim':
          return post(await openConversation(bot, slackIdsOf(people, 'message')))
        case 'im': {
          const posts: JsonObject[] = []
          for (const slackId of slackIdsOf(people, 'message')) {
            posts.push(await post(await openConversation(bot, [slackId])))
          }
          return posts
        }
        case 'ephemeral': {
          const channel = targetChannel(ctx, 'postMessage', args.channel)
          const posts: JsonObject[] = []
          for (const user of slackIdsOf(people, 'message')) {
            const posted = await callSlack('chat.postEphemeral', () =>
              bot.chat.postEphemeral({ channel, user, text: args.text, ...thread }),
            )
            posts.push({ channel, ts: posted.message_ts ?? null })
          }
          return posts
        }
      }
    },

    initiateVote: initiateVote(deps),

    /** `slack.getUsersInChannel(channel?)`: the channel's members as `[{ id, username, displayName, slackId }]`, the bot left out. */
    async getUsersInChannel(ctx, arg) {
      const channel = targetChannel(
        ctx,
        'getUsersInChannel',
        channelOf(parseArgs('getUsersInChannel', channelArg, arg)),
      )
      const { bot, credentials } = slackClients(ctx, options)
      const slackIds = await allPages('conversations.members', async (cursor) => {
        const page = await bot.conversations.members({ channel, limit: 1000, ...(cursor ? { cursor } : {}) })
        return { items: page.members ?? [], nextCursor: page.response_metadata?.next_cursor }
      })
      const people = slackIds.filter((slackId) => slackId !== credentials.botUserId)
      const knownMembers = await ports.members.findByAccounts(ctx.communityId, people)
      const members: JsonObject[] = []
      for (const slackId of people) {
        const known = knownMembers.get(slackId)
        if (known) {
          members.push(memberJson(known, slackId))
          continue
        }
        // Someone who joined the workspace after the install: a member from now on, if a person of it.
        const { user } = await callSlack('users.info', () => bot.users.info({ user: slackId }))
        if (!user?.name || !isWorkspacePerson(user, ctx.integration?.externalId)) {
          continue
        }
        const displayName = user.profile?.display_name || user.real_name || user.name
        const member = await ensureSlackMember(ports.members, ctx.communityId, {
          id: slackId,
          name: user.name,
          displayName,
        })
        members.push(memberJson(member, slackId))
      }
      return members
    },

    /** `slack.getConversations(types?)`: `[{ id, name, type, memberCount }]`; public channels unless `types` says otherwise. */
    async getConversations(ctx, arg) {
      const parsed = arg === undefined || arg === null ? 'public_channel' : parseArgs('getConversations', typesArg, arg)
      const types = Array.isArray(parsed) ? parsed : [parsed]
      const { bot } = slackClients(ctx, options)
      const conversations = await allPages('conversations.list', async (cursor) => {
        const page = await bot.conversations.list({
          types: types.join(','),
          exclude_archived: true,
          limit: 1000,
          ...(cursor ? { cursor } : {}),
        })
        return { items: page.channels ?? [], nextCursor: page.response_metadata?.next_cursor }
      })
      return conversations.flatMap((c) => {
        if (c.id === undefined) {
          return []
        }
        const type = c.is_im ? 'im' : c.is_mpim ? 'mpim' : c.is_private ? 'private_channel' : 'public_channel'
        return [{ id: c.id, name: c.name ?? null, type, memberCount: c.num_members ?? null }]
      })
    },

    /** `slack.renameConversation({ channel?, name })`: `{ channel, previousName }`. */
    async renameConversation(ctx, arg) {
      const args = parseArgs('renameConversation', renameArgs, arg)
      const channel = targetChannel(ctx, 'renameConversation', args.channel)
      return ops.renameConversation(ctx, { channel, name: args.name })
    },

    /** `slack.kickConversation({ channel?, user })`: removes the member from the channel. */
    async kickConversation(ctx, arg) {
      const args = parseArgs('kickConversation', memberArgs, arg)
      const channel = targetChannel(ctx, 'kickConversation', args.channel)
      const user = await slackIdOf(ports.members, ctx.communityId, args.user, 'remove from a channel')
      await ops.removeFromConversation(ctx, { channel, user })
      return { channel, user }
    },

    /** `slack.joinConversation({ channel?, user })`: adds the member to the channel. */
    async joinConversation(ctx, arg) {
      const args = parseArgs('joinConversation', memberArgs, arg)
      const channel = targetChannel(ctx, 'joinConversation', args.channel)
      const user = await slackIdOf(ports.members, ctx.communityId, args.user, 'add to a channel')
      await ops.inviteToConversation(ctx, { channel, user })
      return { channel, user }
    },
  }
}
