import { z } from 'zod'
import type { JsonObject } from '../../domain/json.ts'
import { AppError } from '../../errors.ts'
import { defineAction, type ActionDef } from '../platform.ts'
import { forumCall } from './context.ts'

/**
 * The governable Discourse actions. A topic or post a member makes on the forum is observed with
 * its id: undoing it deletes it there, and carrying it out again (its proposal passed) recovers
 * it rather than posting a copy (Discourse refuses a second topic of the same title). Proposed
 * from PolicyKit (no id yet), executing it posts it as the connected user. Closing and opening
 * topics and private messages are proposed in PolicyKit or by policies.
 */

const id = z.number().int().positive()
const raw = z.string().min(1).max(32_000)
const title = z.string().min(1).max(255)

const createTopicParams = z.strictObject({
  title,
  raw,
  category: id.optional(),
  /** The topic as it appeared on the forum (absent: PolicyKit creates it). */
  topicId: id.optional(),
})
const createPostParams = z.strictObject({ topicId: id, raw, postId: id.optional() })
const topicParams = z.strictObject({ topicId: id })
const privateMessageParams = z.strictObject({
  title,
  raw,
  /** Usernames on the forum. */
  users: z.array(z.string().min(1)).min(1).max(50),
})

const topicResult = z.object({ topicId: id, postId: id.optional() })
const postResult = z.object({ topicId: id, postId: id })
const closedResult = z.object({ topicId: id })

const createdPost = z.object({ id, topic_id: id })

function checked<T>(what: string, schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value)
  if (!parsed.success) {
    throw new AppError('platform_rejected', `${what}: the forum’s answer was not understood`)
  }
  return parsed.data
}

const setClosed = async (ctx: Parameters<NonNullable<ActionDef['execute']>>[0], topicId: number, closed: boolean) => {
  await forumCall(ctx, 'PUT', `/t/${topicId}/status.json`, { status: 'closed', enabled: closed ? 'true' : 'false' })
}

export function discourseActions(): Record<string, ActionDef> {
  const createTopic = defineAction({
    description:
      'Create a topic on the forum. Seen on the forum, undoing it deletes the topic and carrying it out again ' +
      'recovers it; proposed in PolicyKit, carrying it out posts it as the connected user.',
    params: createTopicParams,
    result: topicResult,
    creates: ['topicId'],
    async execute(ctx, params): Promise<JsonObject> {
      if (params.topicId !== undefined) {
        await forumCall(ctx, 'PUT', `/t/${params.topicId}/recover`)
        return { topicId: params.topicId }
      }
      const post = checked(
        'POST /posts.json',
        createdPost,
        await forumCall(ctx, 'POST', '/posts.json', {
          title: params.title,
          raw: params.raw,
          ...(params.category === undefined ? {} : { category: params.category }),
        }),
      )
      return { topicId: post.topic_id, postId: post.id }
    },
    async revert(ctx, _params, result) {
      const { topicId } = checked('revert', topicResult, result)
      await forumCall(ctx, 'DELETE', `/t/${topicId}.json`)
    },
  })

  const createPost = defineAction({
    description:
      'Reply in a topic. Seen on the forum, undoing it deletes the post and carrying it out again recovers it; ' +
      'proposed in PolicyKit, carrying it out posts it as the connected user.',
    params: createPostParams,
    result: postResult,
    creates: ['postId'],
    async execute(ctx, params): Promise<JsonObject> {
      if (params.postId !== undefined) {
        await forumCall(ctx, 'PUT', `/posts/${params.postId}/recover`)
        return { topicId: params.topicId, postId: params.postId }
      }
      const post = checked(
        'POST /posts.json',
        createdPost,
        await forumCall(ctx, 'POST', '/posts.json', { topic_id: params.topicId, raw: params.raw }),
      )
      return { topicId: post.topic_id, postId: post.id }
    },
    async revert(ctx, _params, result) {
      const { postId } = checked('revert', postResult, result)
      await forumCall(ctx, 'DELETE', `/posts/${postId}.json`)
    },
  })

  const closeTopic = defineAction({
    description: 'Close a topic to new replies; undoing it opens it again.',
    params: topicParams,
    result: closedResult,
    async execute(ctx, { topicId }): Promise<JsonObject> {
      await setClosed(ctx, topicId, true)
      return { topicId }
    },
    async revert(ctx, { topicId }) {
      await setClosed(ctx, topicId, false)
    },
  })

  const openTopic = defineAction({
    description: 'Open a closed topic to replies again; undoing it closes it.',
    params: topicParams,
    result: closedResult,
    async execute(ctx, { topicId }): Promise<JsonObject> {
      await setClosed(ctx, topicId, false)
      return { topicId }
    },
    async revert(ctx, { topicId }) {
      await setClosed(ctx, topicId, true)
    },
  })

  const sendPrivateMessage = defineAction({
    description: 'Send a private message on the forum, as the connected user, to the given usernames.',
    params: privateMessageParams,
    result: topicResult,
    creates: ['topicId'],
    async execute(ctx, { title, raw, users }): Promise<JsonObject> {
      const post = checked(
        'POST /posts.json',
        createdPost,
        await forumCall(ctx, 'POST', '/posts.json', {
          title,
          raw,
          archetype: 'private_message',
          target_recipients: users.join(','),
        }),
      )
      return { topicId: post.topic_id, postId: post.id }
    },
  })

  return { createTopic, createPost, closeTopic, openTopic, sendPrivateMessage }
}
