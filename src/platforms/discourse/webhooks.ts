import { createHmac } from 'node:crypto'
import { z } from 'zod'
import { parseBoundedJson } from '../../domain/json-depth.ts'
import type { JsonObject } from '../../domain/json.ts'
import { AppError, isAppError } from '../../errors.ts'
import { handleOnce } from '../kit/delivery-ledger.ts'
import { constantTimeEqual, headerValue } from '../kit/verify-request.ts'
import type { PlatformPorts } from '../platform-ports.ts'
import type { WebhookDef, WebhookRequest } from '../platform.ts'
import { discoursePlatformName } from './context.ts'
import { discourseCredentials, forumUrl } from './credentials.ts'
import { changeEchoOf, discourseEcho } from './echoes.ts'
import { memberOfForumUser } from './forum-members.ts'
import { syncPollVotes } from './poll-votes.ts'
import type { DiscourseOptions } from './options.ts'
import { discourseTriggers } from './triggers.ts'
import { discourseWebhookSecret } from './webhook-secret.ts'
import { forumFetch } from './client.ts'

/** Discourse waits 30 s for an answer; PolicyKit answers well within it. */
const answerWithinMs = 10_000

/** The forum a delivery says it comes from (`X-Discourse-Instance`), as integrations are keyed. */
function instanceOf(request: WebhookRequest): string | undefined {
  const parsed = forumUrl.safeParse(headerValue(request.headers, 'x-discourse-instance'))
  return parsed.success ? parsed.data : undefined
}

/**
 * `X-Discourse-Event-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>`, with the forum's own
 * secret. Discourse signs no timestamp, so a replay cannot be told by time: the delivery ledger
 * (keyed by `X-Discourse-Event-Id`) makes a replayed delivery do nothing.
 */
export function discourseSigned(options: DiscourseOptions) {
  return (request: WebhookRequest): boolean => {
    const instance = instanceOf(request)
    const signature = headerValue(request.headers, 'x-discourse-event-signature')
    if (instance === undefined || signature === undefined) {
      return false
    }
    const secret = discourseWebhookSecret(options.webhookKey, instance)
    return constantTimeEqual(signature, `sha256=${createHmac('sha256', secret).update(request.body).digest('hex')}`)
  }
}

const hookPost = z.object({
  id: z.number().int(),
  post_number: z.number().int(),
  topic_id: z.number().int(),
  topic_title: z.string().optional(),
  topic_archetype: z.string().optional(),
  category_id: z.number().int().nullable().optional(),
  raw: z.string().optional(),
  username: z.string(),
  name: z.string().nullable().optional(),
  user_id: z.number().int(),
  version: z.number().int().optional(),
})
type HookPost = z.infer<typeof hookPost>

/**
 * What a member did on the forum, proposed as a governed action. One the action type refuses
 * (its params out of bounds) is logged and left ungoverned: the delivery still succeeds.
 */
async function governObserved(
  ports: PlatformPorts,
  communityId: number,
  eventId: string,
  post: HookPost,
  observed: { type: string; params: JsonObject; result: JsonObject; externalId: string },
): Promise<void> {
  const member = await memberOfForumUser(ports.members, communityId, {
    id: post.user_id,
    username: post.username,
    name: post.name,
  })
  try {
    await ports.propose({ communityId, ...observed, initiatorId: member?.id ?? null, origin: 'platform' })
  } catch (e) {
    if (!isAppError(e, 'invalid_input')) {
      throw e
    }
    ports.logger.warn(
      { platform: discoursePlatformName, communityId, eventId, reason: e.message },
      `discourse: ${observed.type} not governed`,
    )
  }
}

/** A member's new topic (its first post carries the raw) or reply, as a governed action. */
async function governPost(ports: PlatformPorts, communityId: number, eventId: string, post: HookPost): Promise<void> {
  if (post.topic_archetype === 'private_message' || post.raw === undefined) {
    return
  }
  const result = { topicId: post.topic_id, postId: post.id }
  const externalId = `post:${post.id}`
  await governObserved(
    ports,
    communityId,
    eventId,
    post,
    post.post_number === 1
      ? {
          type: `${discoursePlatformName}.createTopic`,
          params: {
            title: post.topic_title ?? '',
            raw: post.raw,
            ...(post.category_id ? { category: post.category_id } : {}),
            topicId: post.topic_id,
          },
          result,
          externalId,
        }
      : {
          type: `${discoursePlatformName}.createPost`,
          params: { topicId: post.topic_id, raw: post.raw, postId: post.id },
          result,
          externalId,
        },
  )
}

/** A member's edit of a post, as a governed `discourse.editPost` (undoing it restores the text before). */
async function governEdit(ports: PlatformPorts, communityId: number, eventId: string, post: HookPost): Promise<void> {
  if (post.topic_archetype === 'private_message' || post.raw === undefined || post.version === undefined) {
    return
  }
  await governObserved(ports, communityId, eventId, post, {
    type: `${discoursePlatformName}.editPost`,
    params: { postId: post.id, raw: post.raw, version: post.version },
    result: { postId: post.id, version: post.version },
    externalId: `edit:${post.id}:${post.version}`,
  })
}

/** Who an event is by: the post's or topic's author, or the user it is about. */
function actorOf(payload: Record<string, unknown>): { id: number; username: string; name?: string | null } | null {
  const actor = z.object({ id: z.number().int(), username: z.string(), name: z.string().nullable().optional() })
  const post = payload.post as Record<string, unknown> | undefined
  const candidates = [
    post && { id: post.user_id, username: post.username, name: post.name },
    (payload.topic as Record<string, unknown> | undefined)?.created_by,
    payload.user,
  ]
  for (const candidate of candidates) {
    const parsed = actor.safeParse(candidate)
    if (parsed.success) {
      return parsed.data
    }
  }
  return null
}

/**
 * `POST /platforms/discourse/webhook`: the endpoint a forum's webhook points at (content type
 * application/json, "send me everything"). Signed with the forum's derived secret (401
 * otherwise); `ping` answered; each delivery handled once by its `X-Discourse-Event-Id`. A
 * member's new topic or reply becomes a governed action, and every event named in the triggers
 * reaches trigger policies as `discourse.<event>`. Events by the user PolicyKit acts as are
 * PolicyKit's own (recognised by that identity) and neither governed nor triggering.
 */
export function discourseWebhooks(options: DiscourseOptions, ports: PlatformPorts): WebhookDef[] {
  const fetchFn = forumFetch(options)
  const verify = discourseSigned(options)
  const webhook: WebhookDef = {
    path: '/webhook',
    contentTypes: ['application/json'],
    answerWithinMs,
    verify: (request) => verify(request),
    async receive(request) {
      const event = headerValue(request.headers, 'x-discourse-event')
      const eventId = headerValue(request.headers, 'x-discourse-event-id')
      const instance = instanceOf(request)
      const payload = parseBoundedJson(request.body, 'the Discourse webhook body')
      if (event === undefined || instance === undefined || typeof payload !== 'object' || payload === null) {
        throw new AppError('invalid_input', 'not a Discourse webhook delivery')
      }
      if (event === 'ping') {
        return {}
      }
      if (eventId === undefined) {
        throw new AppError('invalid_input', 'a Discourse webhook delivery without X-Discourse-Event-Id')
      }
      const integration = await ports.integrations.findByExternalId(instance)
      if (!integration?.active) {
        ports.logger.info(
          { platform: discoursePlatformName, instance, event },
          'discourse: event from a forum no community has connected; ignored',
        )
        return {}
      }
      const { communityId } = integration
      const credentials = discourseCredentials.parse(await ports.integrations.credentials(integration))
      const body = payload as Record<string, unknown>
      return {
        context: { platform: discoursePlatformName, communityId, eventId, event },
        handle: async () => {
          await handleOnce(ports.deliveries, communityId, eventId, async () => {
            // An event about a vote's post (its poll) reads the votes at once rather than at the next poll.
            const named = z.object({ id: z.number().int() }).safeParse(body.post ?? body.poll)
            const voteOf = named.success
              ? await ports.votes.proposalOfPost(communityId, String(named.data.id))
              : undefined
            if (voteOf?.status === 'proposed') {
              try {
                await syncPollVotes(ports, fetchFn, credentials, voteOf)
              } catch (e) {
                // The poller reads them later; a busy forum is no reason to have the delivery retried.
                if (!isAppError(e, 'platform_unavailable')) {
                  throw e
                }
              }
              return
            }
            const actor = actorOf(body)
            if (actor?.username === credentials.apiUsername) {
              return
            }
            // PolicyKit's own deletion or recovery (an undo, or a passed proposal carried out) comes back naming the author.
            const changeEcho = changeEchoOf(event, body)
            if (changeEcho !== null && (await ports.echoes.take(communityId, changeEcho))) {
              return
            }
            const post = event.startsWith('post_') ? hookPost.safeParse(body.post) : null
            if (post?.success && event === 'post_edited' && post.data.raw !== undefined) {
              // PolicyKit's own edit (an undo, or an edit carried out) comes back naming the author.
              if (await ports.echoes.take(communityId, discourseEcho.edit(post.data.id, post.data.raw))) {
                return
              }
              await governEdit(ports, communityId, eventId, post.data)
            }
            if (post?.success && event === 'post_created') {
              await governPost(ports, communityId, eventId, post.data)
            }
            if (Object.hasOwn(discourseTriggers, event)) {
              const member = actor ? await memberOfForumUser(ports.members, communityId, actor) : null
              await ports.trigger({
                communityId,
                type: `${discoursePlatformName}.${event}`,
                data: body as JsonObject,
                initiatorId: member?.id ?? null,
              })
            }
          })
        },
      }
    },
  }
  return [webhook]
}
