import { z } from 'zod'
import type { JsonObject } from '../../domain/json.ts'
import { AppError } from '../../errors.ts'
import { expectingEchoes } from '../kit/echo-records.ts'
import type { PlatformPorts } from '../platform-ports.ts'
import { defineAction, type ActionDef, type ExecutionContext } from '../platform.ts'
import { forumCall } from './context.ts'
import { discourseEcho, topicEchoes, type EchoedChange } from './echoes.ts'

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

const editPostParams = z.strictObject({
  postId: id,
  raw,
  /** The post's version the edit made, as seen on the forum (absent: PolicyKit makes the edit). */
  version: id.optional(),
})
const moveTopicParams = z.strictObject({ topicId: id, category: id })
const suspendUserParams = z.strictObject({
  /** The forum user's id (a member's Discourse account). */
  userId: id,
  /** Until when (ISO 8601 date or time). */
  until: z.iso.datetime({ offset: true }).or(z.iso.date()),
  reason: z.string().trim().min(1).max(300),
})

const topicResult = z.object({ topicId: id, postId: id.optional() })
const editResult = z.object({ postId: id, version: id })
const moveResult = z.object({ topicId: id, previousCategory: id })
const suspendResult = z.object({ userId: id })
const postResult = z.object({ topicId: id, postId: id })
const closedResult = z.object({ topicId: id })

const createdPost = z.object({ id, topic_id: id })
const shownPost = z.object({ id, raw: z.string(), version: id })
const editedPost = z.object({ post: z.object({ id, version: id }) })
const shownTopic = z.object({ id, category_id: id })

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

/**
 * Edits a post's raw as the connected user, recording the echo first: Discourse's `post_edited`
 * names the post's author, not the editor, so PolicyKit's own edit is known by what it wrote.
 */
async function writeRaw(
  ctx: ExecutionContext,
  ports: PlatformPorts,
  postId: number,
  text: string,
  reason: string,
): Promise<number> {
  const edited = await expectingEchoes(ports.echoes, ctx.communityId, [discourseEcho.edit(postId, text)], async () =>
    checked(
      'PUT /posts/{id}.json',
      editedPost,
      await forumCall(ctx, 'PUT', `/posts/${postId}.json`, { post: { raw: text, edit_reason: reason } }),
    ),
  )
  return edited.post.version
}

/** Deletes or recovers a member's topic, expecting the webhooks that will name its author. */
async function changeTopic(ctx: ExecutionContext, ports: PlatformPorts, change: EchoedChange, topicId: number) {
  await expectingEchoes(ports.echoes, ctx.communityId, topicEchoes(change, topicId), () =>
    change === 'destroyed'
      ? forumCall(ctx, 'DELETE', `/t/${topicId}.json`)
      : forumCall(ctx, 'PUT', `/t/${topicId}/recover`),
  )
}

/** Deletes or recovers a member's reply, expecting the webhook that will name its author. */
async function changePost(ctx: ExecutionContext, ports: PlatformPorts, change: EchoedChange, postId: number) {
  await expectingEchoes(ports.echoes, ctx.communityId, [discourseEcho.post(change, postId)], () =>
    change === 'destroyed'
      ? forumCall(ctx, 'DELETE', `/posts/${postId}.json`)
      : forumCall(ctx, 'PUT', `/posts/${postId}/recover`),
  )
}

export function discourseActions(ports: PlatformPorts): Record<string, ActionDef> {
  const createTopic = defineAction({
    description:
      'Create a topic on the forum. Seen on the forum, undoing it deletes the topic and carrying it out again ' +
      'recovers it; proposed in PolicyKit, carrying it out posts it as the connected user.',
    params: createTopicParams,
    result: topicResult,
    creates: ['topicId'],
    async execute(ctx, params): Promise<JsonObject> {
      if (params.topicId !== undefined) {
        await changeTopic(ctx, ports, 'recovered', params.topicId)
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
      await changeTopic(ctx, ports, 'destroyed', topicId)
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
        await changePost(ctx, ports, 'recovered', params.postId)
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
      await changePost(ctx, ports, 'destroyed', postId)
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

  const editPost = defineAction({
    description:
      'Edit a post’s text. Seen on the forum, undoing it restores the text the post had before (from its ' +
      'revisions) and carrying it out again puts the edit back; proposed in PolicyKit, carrying it out edits ' +
      'the post as the connected user.',
    params: editPostParams,
    result: editResult,
    async execute(ctx, { postId, raw }): Promise<JsonObject> {
      const version = await writeRaw(ctx, ports, postId, raw, 'carried out in PolicyKit')
      return { postId, version }
    },
    async revert(ctx, _params, result) {
      const { postId, version } = checked('revert', editResult, result)
      if (version < 2) {
        return
      }
      // The post as it was before this edit: Discourse shows any earlier version of a post.
      const before = checked(
        'GET /posts/{id}.json?version',
        shownPost,
        await forumCall(ctx, 'GET', `/posts/${postId}.json?version=${version - 1}`),
      )
      await writeRaw(ctx, ports, postId, before.raw, 'undone in PolicyKit')
    },
  })

  const moveTopic = defineAction({
    description: 'Move a topic to another category; undoing it moves it back.',
    params: moveTopicParams,
    result: moveResult,
    async execute(ctx, { topicId, category }): Promise<JsonObject> {
      const topic = checked('GET /t/{id}.json', shownTopic, await forumCall(ctx, 'GET', `/t/${topicId}.json`))
      await forumCall(ctx, 'PUT', `/t/-/${topicId}.json`, { category_id: category })
      return { topicId, previousCategory: topic.category_id }
    },
    async revert(ctx, _params, result) {
      const { topicId, previousCategory } = checked('revert', moveResult, result)
      await forumCall(ctx, 'PUT', `/t/-/${topicId}.json`, { category_id: previousCategory })
    },
  })

  const suspendUser = defineAction({
    description: 'Suspend a forum user until the given date, with a reason they are shown; undoing it lifts it.',
    params: suspendUserParams,
    result: suspendResult,
    async execute(ctx, { userId, until, reason }): Promise<JsonObject> {
      await forumCall(ctx, 'PUT', `/admin/users/${userId}/suspend.json`, { suspend_until: until, reason })
      return { userId }
    },
    async revert(ctx, _params, result) {
      const { userId } = checked('revert', suspendResult, result)
      await forumCall(ctx, 'PUT', `/admin/users/${userId}/unsuspend.json`)
    },
  })

  return { createTopic, createPost, editPost, closeTopic, openTopic, moveTopic, sendPrivateMessage, suspendUser }
}
