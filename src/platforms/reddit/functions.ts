import { z } from 'zod'
import { AppError } from '../../errors.ts'
import type { PolicyFunction } from '../platform.ts'
import type { RedditDeps } from './deps.ts'
import type { RedditOperations } from './operations.ts'
import { parseArgs } from './policy-args.ts'
import { redditUsername, thingFullname } from './things.ts'
import { initiateVote } from './voting/voting.ts'

const submitArgs = z.strictObject({
  title: z.string().trim().min(1).max(300),
  text: z.string().max(40_000).default(''),
  flair: z.string().max(64).optional(),
})
const commentArgs = z.strictObject({ parent: thingFullname, text: z.string().min(1).max(10_000) })
const messageArgs = z.strictObject({
  to: redditUsername,
  subject: z.string().trim().min(1).max(100),
  text: z.string().min(1).max(10_000),
})

const moderators = z.object({
  kind: z.literal('UserList'),
  data: z.object({ children: z.array(z.object({ name: z.string(), mod_permissions: z.array(z.string()) })) }),
})
const account = z.object({
  kind: z.literal('t2'),
  data: z.object({
    name: z.string(),
    created_utc: z.number(),
    link_karma: z.number(),
    comment_karma: z.number(),
  }),
})

/**
 * What policy code may call as `reddit.<fn>(…)` when the community has connected a subreddit.
 * Posts and comments are made as the connected moderator and are known as PolicyKit's own.
 */
export function redditFunctions(deps: RedditDeps, ops: RedditOperations): Record<string, PolicyFunction> {
  return {
    /** `reddit.submitPost({ title, text, flair? })`: `{ fullname, url }`. */
    async submitPost(ctx, arg) {
      const args = parseArgs('submitPost', submitArgs, arg)
      return ops.submit(ctx, args)
    },
    /** `reddit.postComment({ parent, text })`: `{ fullname }` of the new comment. */
    async postComment(ctx, arg) {
      const args = parseArgs('postComment', commentArgs, arg)
      const made = await ops.comment(ctx, args.parent, args.text)
      return { fullname: made.name }
    },
    /** `reddit.sendMessage({ to, subject, text })`: a private message to a Reddit user. */
    async sendMessage(ctx, arg) {
      await ops.message(ctx, parseArgs('sendMessage', messageArgs, arg))
      return null
    },
    initiateVote: initiateVote(deps, ops),
    /** `reddit.getModerators()`: `[{ name, permissions }]` of the subreddit. */
    async getModerators(ctx) {
      const api = ops.api(ctx)
      const parsed = moderators.safeParse(await api.get(`/r/${api.subreddit}/about/moderators`))
      if (!parsed.success) {
        throw new AppError('platform_rejected', 'about/moderators: Reddit’s answer is not a UserList')
      }
      return parsed.data.data.children.map((m) => ({ name: m.name, permissions: m.mod_permissions }))
    },
    /** `reddit.getUser(name)`: `{ name, createdUtc, ageDays, linkKarma, commentKarma }`, for filters. */
    async getUser(ctx, arg) {
      const name = parseArgs('getUser', redditUsername, typeof arg === 'string' ? arg : undefined)
      const parsed = account.safeParse(await ops.api(ctx).get(`/user/${name}/about`))
      if (!parsed.success) {
        throw new AppError('platform_rejected', `user/${name}/about: Reddit’s answer is not an account`)
      }
      const user = parsed.data.data
      return {
        name: user.name,
        createdUtc: user.created_utc,
        ageDays: Math.floor((ctx.now() / 1000 - user.created_utc) / 86_400),
        linkKarma: user.link_karma,
        commentKarma: user.comment_karma,
      }
    },
  }
}
