import { z } from 'zod'
import type { JsonObject } from '../../domain/json.ts'
import type { Member } from '../../domain/member.ts'
import { AppError } from '../../errors.ts'
import type { PlatformPorts } from '../platform-ports.ts'
import type { PolicyCallContext, PolicyFunction } from '../platform.ts'
import { policyArgs, voteOptionsArg } from '../kit/policy-args.ts'
import { discoursePlatformName, forumCall, forumOf } from './context.ts'
import { noLabel, pollName, yesLabel } from './poll-votes.ts'
import { voteHeading } from '../kit/vote-heading.ts'

/**
 * What policy code may call as `discourse.<fn>(…)` when the community has connected a forum.
 * Each call is made at once as the connected user (not governed: the policy decides). People are
 * given as forum usernames, or as members (their id) with a linked Discourse account.
 */

const id = z.number().int().positive()
const raw = z.string().trim().min(1).max(32_000)
const title = z.string().trim().min(1).max(255)
/** A forum username, or a member (their id, or a member as policies see one: `action.initiator`). */
const person = z.union([z.string().min(1), id, z.object({ id }).transform((m) => m.id)])

const createPostArgs = z.strictObject({ raw, topicId: id })
const createTopicArgs = z.strictObject({ title, raw, category: id.optional() })
const privateMessageArgs = z.strictObject({
  raw,
  users: z.array(person).min(1).max(50),
  title: title.optional(),
})
const initiateVoteArgs = z.strictObject({
  text: z.string().max(10_000).optional(),
  options: voteOptionsArg({ length: 200, count: 20 }),
  /** Posts the vote in this topic; a new topic without it. */
  topicId: id.optional(),
  /** Who may vote (members' ids or forum usernames); everyone without it. */
  users: z.array(person).optional(),
})
const topicArg = z.union([id, z.strictObject({ topicId: id })]).optional()

const postMade = z.object({ id, topic_id: id, post_number: z.number().int() })
const categories = z.object({
  category_list: z.object({
    categories: z.array(z.object({ id, name: z.string(), slug: z.string() })),
  }),
})
const activeUsers = z.array(z.object({ id: z.number().int(), username: z.string(), name: z.string().nullable() }))

const { parseArgs } = policyArgs(discoursePlatformName)

function made(what: string, value: unknown): z.infer<typeof postMade> {
  const parsed = postMade.safeParse(value)
  if (!parsed.success) {
    throw new AppError('platform_rejected', `${what}: the forum’s answer was not understood`)
  }
  return parsed.data
}

/** The governed action's topic, for functions that default to it. */
function governedTopic(ctx: PolicyCallContext): number | undefined {
  const topicId = ctx.action.params['topicId']
  return typeof topicId === 'number' ? topicId : undefined
}

/** Usernames on the forum and members for `people`: a member id must have a linked Discourse account. */
async function resolvePeople(
  ports: PlatformPorts,
  communityId: number,
  people: (string | number)[],
): Promise<{ usernames: string[]; members: Member[] }> {
  const usernames: string[] = []
  const members: Member[] = []
  for (const who of people) {
    if (typeof who === 'string') {
      usernames.push(who)
      const member = await ports.members.getByUsername(communityId, who)
      const account =
        member && (await ports.members.accounts(communityId, member.id)).find((a) => a.platform === 'discourse')
      if (member && account?.username === who) {
        members.push(member)
      }
      continue
    }
    const member = await ports.members.get(communityId, who)
    const account =
      member && (await ports.members.accounts(communityId, member.id)).find((a) => a.platform === 'discourse')
    if (!member || !account) {
      throw new AppError('invalid_input', `member ${who} has no Discourse account`)
    }
    usernames.push(account.username)
    members.push(member)
  }
  return { usernames, members }
}

export function discourseFunctions(ports: PlatformPorts): Record<string, PolicyFunction> {
  const postAt = (ctx: PolicyCallContext, post: z.infer<typeof postMade>) =>
    `${forumOf(ctx).url}/t/${post.topic_id}/${post.post_number}`

  return {
    /** `discourse.createPost({ raw, topicId })`: `{ postId, topicId, url }`. */
    async createPost(ctx, arg) {
      const args = parseArgs('createPost', createPostArgs, arg)
      const post = made(
        'POST /posts.json',
        await forumCall(ctx, 'POST', '/posts.json', { raw: args.raw, topic_id: args.topicId }),
      )
      return { postId: post.id, topicId: post.topic_id, url: postAt(ctx, post) }
    },

    /** `discourse.createTopic({ title, raw, category? })`: `{ topicId, postId, url }`. */
    async createTopic(ctx, arg) {
      const args = parseArgs('createTopic', createTopicArgs, arg)
      const post = made(
        'POST /posts.json',
        await forumCall(ctx, 'POST', '/posts.json', {
          title: args.title,
          raw: args.raw,
          ...(args.category === undefined ? {} : { category: args.category }),
        }),
      )
      return { topicId: post.topic_id, postId: post.id, url: postAt(ctx, post) }
    },

    /** `discourse.sendPrivateMessage({ raw, users, title? })`: `{ topicId, postId }`. */
    async sendPrivateMessage(ctx, arg) {
      const args = parseArgs('sendPrivateMessage', privateMessageArgs, arg)
      const { usernames } = await resolvePeople(ports, ctx.communityId, args.users)
      const post = made(
        'POST /posts.json',
        await forumCall(ctx, 'POST', '/posts.json', {
          title: args.title ?? `About proposal #${ctx.proposal.number}`,
          raw: args.raw,
          archetype: 'private_message',
          target_recipients: usernames.join(','),
        }),
      )
      return { topicId: post.topic_id, postId: post.id }
    },

    /**
     * `discourse.initiateVote({ text?, options?, topicId?, users? })`: posts the question with a
     * Discourse poll (Yes/No, or one of `options`) in `topicId` or a new topic, and records it as the
     * proposal's vote (`proposal.votePostId`, `proposal.voteUrl`); members vote in the poll. With
     * `users`, only they may vote. Returns the vote post's id.
     */
    async initiateVote(ctx, arg) {
      const args = parseArgs('initiateVote', initiateVoteArgs, arg)
      const text = args.text?.trim() || voteHeading(ctx.proposal, `\`${ctx.action.type}\``)
      const options = args.options ?? null
      const choices = options ?? [yesLabel, noLabel]
      const pollMarkup = [
        `[poll name=${pollName} type=regular results=always public=true chartType=bar]`,
        ...choices.map((c) => `* ${c}`),
        '[/poll]',
      ].join('\n')
      const body = `${text}\n\n${pollMarkup}`
      const post = made(
        'POST /posts.json',
        await forumCall(
          ctx,
          'POST',
          '/posts.json',
          args.topicId === undefined
            ? { title: voteHeading(ctx.proposal), raw: body }
            : { topic_id: args.topicId, raw: body },
        ),
      )
      const url = postAt(ctx, post)
      if (args.users !== undefined) {
        const { members } = await resolvePeople(ports, ctx.communityId, args.users)
        await ctx.setVoters(members.map((m) => m.id))
      }
      await ctx.setVotePost({ postId: String(post.id), url, text, options })
      await ports.communityLog(ctx.communityId, [
        {
          proposalId: ctx.proposal.id,
          actionId: ctx.action.id,
          level: 'info',
          message: `vote opened on Discourse: ${text}`,
          details: { postId: post.id, url, options },
        },
      ])
      return String(post.id)
    },

    /** `discourse.getUsers()`: the forum's active users as `[{ id, username, name, memberId }]` (Discourse's own accounts left out). */
    async getUsers(ctx) {
      const users: JsonObject[] = []
      for (let page = 1; page <= 100; page++) {
        const parsed = activeUsers.safeParse(await forumCall(ctx, 'GET', `/admin/users/list/active.json?page=${page}`))
        const list = parsed.success ? parsed.data.filter((u) => u.id > 0) : []
        const members = await ports.members.findByAccounts(
          ctx.communityId,
          list.map((u) => String(u.id)),
        )
        for (const user of list) {
          users.push({
            id: user.id,
            username: user.username,
            name: user.name,
            memberId: members.get(String(user.id))?.id ?? null,
          })
        }
        if (!parsed.success || parsed.data.length < 100) {
          break
        }
      }
      return users
    },

    /** `discourse.getCategories()`: `[{ id, name, slug }]`. */
    async getCategories(ctx) {
      const parsed = categories.safeParse(await forumCall(ctx, 'GET', '/categories.json'))
      if (!parsed.success) {
        throw new AppError('platform_rejected', 'GET /categories.json: the forum’s answer was not understood')
      }
      return parsed.data.category_list.categories.map((c) => ({ id: c.id, name: c.name, slug: c.slug }))
    },

    /** `discourse.closeTopic(topicId?)`: closes the topic (the governed action's without one); `{ topicId }`. */
    async closeTopic(ctx, arg) {
      const given = parseArgs('closeTopic', topicArg, arg === undefined || arg === null ? undefined : arg)
      const topicId = (typeof given === 'number' ? given : given?.topicId) ?? governedTopic(ctx)
      if (topicId === undefined) {
        throw new AppError('invalid_input', 'discourse.closeTopic: no topic given, and the governed action has none')
      }
      await forumCall(ctx, 'PUT', `/t/${topicId}/status.json`, { status: 'closed', enabled: 'true' })
      return { topicId }
    },
  }
}
