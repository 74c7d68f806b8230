import { z } from 'zod'
import type { JsonObject } from '../../domain/json.ts'
import { AppError } from '../../errors.ts'
import { defineAction, type ActionDef, type ExecutionContext } from '../platform.ts'
import type { RedditOperations } from './operations.ts'
import { commentFullname, postFullname, redditUsername, thingFullname } from './things.ts'

/**
 * The governable Reddit actions. A post or comment a member made on Reddit (seen by the poller:
 * `fullname` set) is removed while its proposal is pending and approved when it passes; proposed
 * in PolicyKit (no `fullname`), it is submitted by PolicyKit when it passes, and removed if
 * reverted. Each `execute` returns what its `revert` needs.
 */

const title = z.string().trim().min(1).max(300)
const text = z.string().max(40_000)

const submitPostParams = z.strictObject({
  title,
  text,
  flair: z.string().max(64).optional(),
  /** Set when the post was seen on Reddit: it exists, and passing approves it. */
  fullname: postFullname.optional(),
  /** Its author's Reddit username, when seen on Reddit. */
  author: z.string().optional(),
  url: z.string().optional(),
})
const postCommentParams = z.strictObject({
  /** What it replies to: a post or a comment. */
  parent: thingFullname,
  text: text.min(1),
  fullname: commentFullname.optional(),
  author: z.string().optional(),
})
const itemParams = z.strictObject({ item: thingFullname })
const lockParams = z.strictObject({ post: postFullname })
const banParams = z.strictObject({
  username: redditUsername,
  reason: z.string().max(100).optional(),
  note: z.string().max(300).optional(),
  /** 1–999 days; absent: permanent. */
  days: z.number().int().min(1).max(999).optional(),
})
const messageParams = z.strictObject({
  to: redditUsername,
  subject: z.string().trim().min(1).max(100),
  text: z.string().min(1).max(10_000),
})

const madeResult = z.object({ fullname: thingFullname })

function fullnameOf(what: string, result: unknown): string {
  const parsed = madeResult.safeParse(result)
  if (!parsed.success) {
    throw new AppError('platform_rejected', `${what}: cannot revert, the action has no record of what it made`)
  }
  return parsed.data.fullname
}

type ModAction = Parameters<RedditOperations['moderate']>[1]

/**
 * An action that is one moderator call on one post or comment, undone by the opposite call
 * (lock / unlock, remove / approve); its result is its params, which is what undoing needs.
 */
function moderation<P extends JsonObject>(
  ops: RedditOperations,
  spec: {
    description: string
    params: z.ZodType<P>
    thing: (params: P) => string
    does: ModAction
    undoes: ModAction
  },
): ActionDef {
  return defineAction({
    description: spec.description,
    params: spec.params,
    result: spec.params,
    async execute(ctx, params) {
      await ops.moderate(ctx, spec.does, spec.thing(params))
      return params
    },
    async revert(ctx, params) {
      await ops.moderate(ctx, spec.undoes, spec.thing(params))
    },
  })
}

/**
 * A post or comment, seen on Reddit (`fullname` set: passing approves it) or proposed in
 * PolicyKit (passing makes it, with `make`); undoing removes it either way.
 */
function seenOrMade<P extends JsonObject & { fullname?: string | undefined }>(
  ops: RedditOperations,
  spec: {
    type: string
    description: string
    params: z.ZodType<P>
    make: (ctx: ExecutionContext, params: P) => Promise<JsonObject>
  },
): ActionDef {
  return defineAction({
    description: spec.description,
    params: spec.params,
    result: madeResult,
    async execute(ctx, params) {
      if (params.fullname !== undefined) {
        await ops.moderate(ctx, 'approve', params.fullname)
        return { fullname: params.fullname }
      }
      return spec.make(ctx, params)
    },
    async revert(ctx, params, result) {
      await ops.moderate(ctx, 'remove', params.fullname ?? fullnameOf(spec.type, result))
    },
    creates: ['fullname'],
  })
}

export function redditActions(ops: RedditOperations): Record<string, ActionDef> {
  const submitPost = seenOrMade(ops, {
    type: 'reddit.submitPost',
    description:
      'A self-post in the subreddit. Seen on Reddit, it is removed while its proposal is pending and approved when ' +
      'it passes; proposed in PolicyKit, PolicyKit submits it when it passes.',
    params: submitPostParams,
    async make(ctx, params) {
      const made = await ops.submit(ctx, params)
      return { fullname: made.fullname, url: made.url }
    },
  })

  const postComment = seenOrMade(ops, {
    type: 'reddit.postComment',
    description:
      'A comment on a post or a reply to a comment. Seen on Reddit, it is removed while pending and approved when it ' +
      'passes; proposed in PolicyKit, PolicyKit posts it when it passes.',
    params: postCommentParams,
    async make(ctx, params) {
      const made = await ops.comment(ctx, params.parent, params.text)
      return { fullname: made.name }
    },
  })

  const lockPost = moderation(ops, {
    description: 'Lock a post: no new comments (undone by unlocking it)',
    params: lockParams,
    thing: (p) => p.post,
    does: 'lock',
    undoes: 'unlock',
  })
  const removeItem = moderation(ops, {
    description: 'Remove a post or comment as a moderator (undone by approving it)',
    params: itemParams,
    thing: (p) => p.item,
    does: 'remove',
    undoes: 'approve',
  })
  const approveItem = moderation(ops, {
    description: 'Approve a post or comment as a moderator (undone by removing it)',
    params: itemParams,
    thing: (p) => p.item,
    does: 'approve',
    undoes: 'remove',
  })

  const banUser = defineAction({
    description: 'Ban a user from the subreddit, for some days or for good (undone by unbanning them)',
    params: banParams,
    result: z.object({ username: redditUsername }),
    async execute(ctx, params) {
      await ops.ban(ctx, params)
      return { username: params.username }
    },
    async revert(ctx, { username }) {
      await ops.unban(ctx, username)
    },
  })

  const sendMessage = defineAction({
    description: 'Send a private message from the connected moderator’s account (cannot be undone)',
    params: messageParams,
    async execute(ctx, params) {
      await ops.message(ctx, params)
    },
  })

  return { submitPost, postComment, lockPost, removeItem, approveItem, banUser, sendMessage }
}
