import type { FakeChannel, FakeUser } from './guild.ts'
import { permissionBits } from './guild.ts'
import { DiscordError, invalidFormBody, json, noContent, unknown } from './replies.ts'
import { answerFollowUp, interactionAnswered } from './interaction-routes.ts'
import { callerOf, channelParam, guildParam, optionalText, requirePermission, textField } from './route-helpers.ts'
import type { Route } from './routes.ts'
import { channelJson, messageJson, webhookJson } from './shapes.ts'
import { addMessage } from './state.ts'
import type { FakeState } from './state.ts'

/** The application's own calls: channel webhooks, direct messages, its guild command, interaction answers. */
export const appRoutes: Route[] = [
  {
    method: 'POST',
    pattern: '/channels/:channel/webhooks',
    auth: 'bot',
    handle(state, request) {
      const channel = channelParam(state, request)
      requirePermission(state, request, permissionBits.manageWebhooks)
      const webhook = {
        id: state.ids.next(),
        token: state.ids.token(),
        channelId: channel.id,
        name: textField(request, 'name', 80),
        applicationId: state.applicationId,
      }
      state.guild.webhooks.set(webhook.id, webhook)
      return json(200, webhookJson(webhook, callerOf(request), state.guild.id))
    },
  },
  {
    method: 'GET',
    pattern: '/channels/:channel/webhooks',
    auth: 'bot',
    handle(state, request) {
      const channel = channelParam(state, request)
      requirePermission(state, request, permissionBits.manageWebhooks)
      const hooks = [...state.guild.webhooks.values()].filter((w) => w.channelId === channel.id)
      return json(
        200,
        hooks.map((w) => webhookJson(w, state.bot, state.guild.id)),
      )
    },
  },
  {
    method: 'POST',
    pattern: '/webhooks/:webhook/:token',
    auth: 'none',
    waitFor: interactionAnswered,
    handle(state, request) {
      if (request.params.webhook === state.applicationId) {
        return answerFollowUp(state, request)
      }
      const webhook = state.guild.webhooks.get(request.params.webhook ?? '')
      if (webhook === undefined || webhook.token !== request.params.token) {
        throw unknown.webhook()
      }
      const channel = state.guild.channels.get(webhook.channelId)
      if (channel === undefined) {
        throw unknown.channel()
      }
      // The message shows the name (and avatar) it was sent under; its author is the webhook.
      const author: FakeUser = {
        id: webhook.id,
        username: optionalText(request, 'username') ?? webhook.name,
        globalName: null,
        bot: true,
      }
      const message = addMessage(state, channel, author, {
        content: textField(request, 'content', 2000),
        webhookId: webhook.id,
      })
      state.dispatch('MESSAGE_CREATE', { ...messageJson(message, null), guild_id: channel.guildId })
      return request.query.get('wait') === 'true' ? json(200, messageJson(message, null)) : noContent()
    },
  },
  {
    method: 'POST',
    pattern: '/users/@me/channels',
    auth: 'bot',
    handle(state, request) {
      const recipientId = request.body.recipient_id
      const recipient = typeof recipientId === 'string' ? state.guild.users.get(recipientId) : undefined
      if (recipient === undefined) {
        throw invalidFormBody('recipient_id', 'BASE_TYPE_REQUIRED', 'This field is required')
      }
      return json(200, channelJson(directChannel(state, recipient)))
    },
  },
  ...(['POST', 'PUT'] as const).map((method): Route => ({
    method,
    pattern: '/applications/:application/guilds/:guild/commands',
    auth: 'bot',
    handle(state, request) {
      guildParam(state, request)
      if (request.params.application !== state.applicationId) {
        throw new DiscordError(404, 10002, 'Unknown Application')
      }
      const commands = method === 'PUT' ? asArray(request.body.items) : [request.body]
      if (method === 'PUT') {
        state.commands.clear()
      }
      const answers = commands.map((command) => {
        const name = typeof command.name === 'string' ? command.name : ''
        const existing = state.commands.get(name)
        const saved = {
          id: existing?.id ?? state.ids.next(),
          name,
          description: typeof command.description === 'string' ? command.description : '',
          options: Array.isArray(command.options) ? command.options : [],
        }
        state.commands.set(name, saved)
        return {
          ...saved,
          application_id: state.applicationId,
          guild_id: state.guild.id,
          version: state.ids.next(),
          default_member_permissions: null,
          type: 1,
        }
      })
      return method === 'PUT' ? json(200, answers) : json(201, answers[0])
    },
  })),
]

/** The bot's direct-message channel with `recipient`, opened on first use. */
export function directChannel(state: FakeState, recipient: FakeUser): FakeChannel {
  const existing = [...state.guild.channels.values()].find((c) => c.type === 1 && c.recipients[0]?.id === recipient.id)
  if (existing !== undefined) {
    return existing
  }
  const channel: FakeChannel = {
    id: state.ids.next(),
    type: 1,
    name: '',
    guildId: null,
    position: 0,
    recipients: [recipient],
    messages: [],
  }
  state.guild.channels.set(channel.id, channel)
  return channel
}

function asArray(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value)
    ? value.filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null)
    : []
}

/** `GET /gateway/bot`: where the gateway is, one shard, and a session start budget that does not run out. */
export function gatewayBotRoute(url: () => string): Route {
  return {
    method: 'GET',
    pattern: '/gateway/bot',
    auth: 'bot',
    handle: () =>
      json(200, {
        url: url(),
        shards: 1,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 1 },
      }),
  }
}
