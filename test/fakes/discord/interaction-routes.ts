import type { FakeChannel, FakeMessage } from './guild.ts'
import { DiscordError, invalidFormBody, json, noContent, unknown } from './replies.ts'
import type { Reply } from './replies.ts'
import { textField } from './route-helpers.ts'
import type { RestRequest, Route } from './routes.ts'
import { messageJson } from './shapes.ts'
import { addMessage } from './state.ts'
import type { FakeState, InteractionRecord } from './state.ts'

/** Discord's 3 seconds to answer an interaction, then 15 minutes of follow-ups with its token. */
const answerWithinMs = 3000
const tokenLifetimeMs = 15 * 60_000

function byToken(state: FakeState, token: string): InteractionRecord {
  const record = [...state.interactions.values()].find((r) => r.token === token)
  if (record === undefined || state.now() - record.deliveredAt > tokenLifetimeMs) {
    throw unknown.webhook()
  }
  return record
}

/** The interaction a webhook request's token names, once answered, and its channel. */
function acknowledged(state: FakeState, request: RestRequest): { record: InteractionRecord; channel: FakeChannel } {
  const record = byToken(state, request.params.token ?? '')
  if (record.callback === null) {
    throw unknown.webhook()
  }
  const channel = state.guild.channels.get(record.channelId)
  if (channel === undefined) {
    throw unknown.channel()
  }
  return { record, channel }
}

/** Waits, for a route of the application's interaction webhook, until the interaction's answer is taken. */
export async function interactionAnswered(state: FakeState, params: Record<string, string>): Promise<void> {
  if (params.application !== state.applicationId && params.webhook !== state.applicationId) {
    return
  }
  const record = [...state.interactions.values()].find((r) => r.token === params.token)
  await record?.answered
}

/**
 * `POST /interactions/:id/:token/callback`, within 3 s and once; `PATCH
 * /webhooks/:application/:token/messages/@original`: the answer rewritten (after a deferred
 * update, type 6, the message whose component was clicked).
 */
export const interactionRoutes: Route[] = [
  {
    method: 'PATCH',
    pattern: '/webhooks/:application/:token/messages/@original',
    auth: 'none',
    waitFor: interactionAnswered,
    handle(state, request) {
      if (request.params.application !== state.applicationId) {
        throw unknown.webhook()
      }
      const { record, channel } = acknowledged(state, request)
      const content = typeof request.body.content === 'string' ? textField(request, 'content', 2000) : undefined
      const components = Array.isArray(request.body.components) ? request.body.components : undefined
      record.edits.push({ ...request.body })
      const message = originalMessage(state, record, channel)
      message.content = content ?? message.content
      message.components = components ?? message.components
      if (channel.messages.includes(message)) {
        state.dispatch('MESSAGE_UPDATE', { ...messageJson(message, null), guild_id: channel.guildId })
      }
      return json(200, messageJson(message, null))
    },
  },
  {
    method: 'POST',
    pattern: '/interactions/:interaction/:token/callback',
    auth: 'none',
    handle(state, request) {
      const record = state.interactions.get(request.params.interaction ?? '')
      if (record === undefined || record.token !== request.params.token) {
        throw unknown.interaction()
      }
      if (state.now() - record.deliveredAt > answerWithinMs) {
        throw unknown.interaction()
      }
      if (record.callback !== null) {
        throw new DiscordError(400, 40060, 'Interaction has already been acknowledged.')
      }
      record.callback = callbackOf(request.body)
      return noContent()
    },
  },
]

/** The interaction callback in a body (the delivery's response or the callback route's). */
export function callbackOf(body: Record<string, unknown>): { type: number; data?: Record<string, unknown> } {
  const type = body.type
  if (typeof type !== 'number' || ![1, 4, 5, 6, 7, 9].includes(type)) {
    throw invalidFormBody('type', 'BASE_TYPE_CHOICES', 'Value must be one of {1, 4, 5, 6, 7, 9}.')
  }
  const data = body.data
  return typeof data === 'object' && data !== null ? { type, data: { ...data } } : { type }
}

/** `POST /webhooks/:application/:token`: a follow-up message to an acknowledged interaction. */
export function answerFollowUp(state: FakeState, request: RestRequest): Reply {
  const { record, channel } = acknowledged(state, request)
  const content = textField(request, 'content', 2000)
  const flags = typeof request.body.flags === 'number' ? request.body.flags : 0
  // An ephemeral follow-up (flags 64) is shown to the invoker only: it is not kept in the channel.
  const message =
    (flags & 64) === 0 ? addMessage(state, channel, state.bot, { content }) : ephemeral(state, channel.id, content)
  record.followUps.push({ content, flags })
  return json(200, messageJson(message, null))
}

function ephemeral(state: FakeState, channelId: string, content: string): FakeMessage {
  return {
    id: state.ids.next(),
    channelId,
    author: state.bot,
    content,
    timestamp: new Date(state.now()).toISOString(),
    pinned: false,
    webhookId: null,
    components: [],
    replyTo: null,
    reactions: new Map<string, string[]>(),
  }
}

/**
 * The message an interaction's `@original` is: the clicked message for a component's interaction;
 * else the answer's own message, in the channel unless it was ephemeral (flags 64).
 */
function originalMessage(state: FakeState, record: InteractionRecord, channel: FakeChannel): FakeMessage {
  if (record.messageId !== null) {
    const clicked = channel.messages.find((m) => m.id === record.messageId)
    if (clicked === undefined) {
      throw unknown.message()
    }
    return clicked
  }
  if (record.answerMessage === null) {
    const flags = typeof record.callback?.data?.flags === 'number' ? record.callback.data.flags : 0
    record.answerMessage =
      (flags & 64) === 0 ? addMessage(state, channel, state.bot, { content: '' }) : ephemeral(state, channel.id, '')
  }
  return record.answerMessage
}
