import { permissionBits } from './guild.ts'
import { DiscordError, json, noContent, unknown } from './replies.ts'
import {
  after,
  callerOf,
  channelParam,
  limitParam,
  messageParam,
  optionalText,
  requirePermission,
  textField,
} from './route-helpers.ts'
import type { Route } from './routes.ts'
import { channelJson, messageJson, userJson } from './shapes.ts'
import { addMessage } from './state.ts'

/** Channels and their messages, pins and reactions (the bot's calls; each change is dispatched). */
export const channelRoutes: Route[] = [
  {
    method: 'GET',
    pattern: '/channels/:channel',
    auth: 'bot',
    handle: (state, request) => json(200, channelJson(channelParam(state, request))),
  },
  {
    method: 'PATCH',
    pattern: '/channels/:channel',
    auth: 'bot',
    handle(state, request) {
      const channel = channelParam(state, request)
      requirePermission(state, request, permissionBits.manageChannels)
      channel.name = textField(request, 'name', 100)
      state.dispatch('CHANNEL_UPDATE', channelJson(channel))
      return json(200, channelJson(channel))
    },
  },
  {
    method: 'DELETE',
    pattern: '/channels/:channel',
    auth: 'bot',
    handle(state, request) {
      const channel = channelParam(state, request)
      requirePermission(state, request, permissionBits.manageChannels)
      state.guild.channels.delete(channel.id)
      state.dispatch('CHANNEL_DELETE', channelJson(channel))
      return json(200, channelJson(channel))
    },
  },
  {
    method: 'GET',
    pattern: '/channels/:channel/messages',
    auth: 'bot',
    handle(state, request) {
      const channel = channelParam(state, request)
      requirePermission(state, request, permissionBits.readMessageHistory)
      const limit = limitParam(request, 50, 1, 100)
      const before = request.query.get('before')
      const newestFirst = [...channel.messages].reverse()
      const page = newestFirst.filter((m) => before === null || after(before, m.id)).slice(0, limit)
      return json(
        200,
        page.map((m) => messageJson(m, state.bot.id)),
      )
    },
  },
  {
    method: 'POST',
    pattern: '/channels/:channel/messages',
    auth: 'bot',
    handle(state, request) {
      const channel = channelParam(state, request)
      if (channel.type === 0) {
        requirePermission(state, request, permissionBits.sendMessages)
      }
      const reference = request.body.message_reference
      const replyTo =
        typeof reference === 'object' && reference !== null && 'message_id' in reference
          ? String(reference.message_id)
          : null
      if (replyTo !== null && !channel.messages.some((m) => m.id === replyTo)) {
        throw unknown.message()
      }
      const components = Array.isArray(request.body.components) ? request.body.components : []
      const message = addMessage(state, channel, callerOf(request), {
        content: textField(request, 'content', 2000),
        components,
        replyTo,
      })
      state.dispatch('MESSAGE_CREATE', { ...messageJson(message, null), guild_id: channel.guildId })
      return json(200, messageJson(message, state.bot.id))
    },
  },
  {
    method: 'GET',
    pattern: '/channels/:channel/messages/:message',
    auth: 'bot',
    handle(state, request) {
      const channel = channelParam(state, request)
      return json(200, messageJson(messageParam(channel, request), state.bot.id))
    },
  },
  {
    method: 'PATCH',
    pattern: '/channels/:channel/messages/:message',
    auth: 'bot',
    handle(state, request) {
      const channel = channelParam(state, request)
      const message = messageParam(channel, request)
      if (message.author.id !== callerOf(request).id) {
        throw new DiscordError(403, 50005, 'Cannot edit a message authored by another user')
      }
      message.content = optionalText(request, 'content') ?? message.content
      if (Array.isArray(request.body.components)) {
        message.components = request.body.components
      }
      state.dispatch('MESSAGE_UPDATE', { ...messageJson(message, null), guild_id: channel.guildId })
      return json(200, messageJson(message, state.bot.id))
    },
  },
  {
    method: 'DELETE',
    pattern: '/channels/:channel/messages/:message',
    auth: 'bot',
    handle(state, request) {
      const channel = channelParam(state, request)
      const message = messageParam(channel, request)
      if (message.author.id !== callerOf(request).id) {
        requirePermission(state, request, permissionBits.manageMessages)
      }
      channel.messages.splice(channel.messages.indexOf(message), 1)
      state.dispatch('MESSAGE_DELETE', { id: message.id, channel_id: channel.id, guild_id: channel.guildId })
      return noContent()
    },
  },
  ...(['/channels/:channel/pins/:message', '/channels/:channel/messages/pins/:message'] as const).flatMap(
    (pattern): Route[] =>
      (['PUT', 'DELETE'] as const).map((method) => ({
        method,
        pattern,
        auth: 'bot',
        handle(state, request) {
          const channel = channelParam(state, request)
          const message = messageParam(channel, request)
          requirePermission(state, request, permissionBits.manageMessages)
          message.pinned = method === 'PUT'
          state.dispatch('CHANNEL_PINS_UPDATE', {
            guild_id: channel.guildId,
            channel_id: channel.id,
            last_pin_timestamp: new Date(state.now()).toISOString(),
          })
          if (method === 'PUT') {
            // Discord posts a notice of the pin (type 6) by whoever pinned, referencing the message.
            const notice = addMessage(state, channel, callerOf(request), { content: '', replyTo: message.id, type: 6 })
            state.dispatch('MESSAGE_CREATE', { ...messageJson(notice, null), guild_id: channel.guildId })
          }
          return noContent()
        },
      })),
  ),
  {
    method: 'GET',
    pattern: '/channels/:channel/pins',
    auth: 'bot',
    handle(state, request) {
      const channel = channelParam(state, request)
      return json(
        200,
        channel.messages.filter((m) => m.pinned).map((m) => messageJson(m, state.bot.id)),
      )
    },
  },
  ...(['PUT', 'DELETE'] as const).map((method): Route => ({
    method,
    pattern: '/channels/:channel/messages/:message/reactions/:emoji/@me',
    auth: 'bot',
    handle(state, request) {
      const channel = channelParam(state, request)
      const message = messageParam(channel, request)
      requirePermission(state, request, permissionBits.addReactions)
      const emoji = request.params.emoji ?? ''
      const users = message.reactions.get(emoji) ?? []
      const botId = callerOf(request).id
      const had = users.includes(botId)
      const next = method === 'PUT' ? (had ? users : [...users, botId]) : users.filter((id) => id !== botId)
      if (next.length === 0) {
        message.reactions.delete(emoji)
      } else {
        message.reactions.set(emoji, next)
      }
      if (had !== (method === 'PUT')) {
        state.dispatch(method === 'PUT' ? 'MESSAGE_REACTION_ADD' : 'MESSAGE_REACTION_REMOVE', {
          user_id: botId,
          channel_id: channel.id,
          message_id: message.id,
          guild_id: channel.guildId,
          emoji: { id: null, name: emoji },
        })
      }
      return noContent()
    },
  })),
  {
    method: 'GET',
    pattern: '/channels/:channel/messages/:message/reactions/:emoji',
    auth: 'bot',
    handle(state, request) {
      const channel = channelParam(state, request)
      const message = messageParam(channel, request)
      const limit = limitParam(request, 25, 1, 100)
      const cursor = request.query.get('after')
      const users = (message.reactions.get(request.params.emoji ?? '') ?? [])
        .flatMap((id) => {
          const user = state.guild.users.get(id)
          return user === undefined ? [] : [user]
        })
        .sort((a, b) => (after(a.id, b.id) ? 1 : -1))
        .filter((u) => cursor === null || after(u.id, cursor))
        .slice(0, limit)
      return json(200, users.map(userJson))
    },
  },
]
