import { permissionBits } from './guild.ts'
import type { FakeChannel } from './guild.ts'
import { json, noContent, unknown } from './replies.ts'
import { after, callerOf, guildParam, limitParam, memberParam, requirePermission, textField } from './route-helpers.ts'
import type { Route } from './routes.ts'
import { channelJson, guildJson, memberJson, roleJson, userJson } from './shapes.ts'

/** The guild, its channels, members and roles, and the people themselves. */
export const guildRoutes: Route[] = [
  {
    method: 'GET',
    pattern: '/guilds/:guild',
    auth: 'bot',
    handle(state, request) {
      guildParam(state, request)
      return json(200, guildJson(state.guild))
    },
  },
  {
    method: 'GET',
    pattern: '/guilds/:guild/channels',
    auth: 'bot',
    handle(state, request) {
      guildParam(state, request)
      return json(200, [...state.guild.channels.values()].filter((c) => c.type === 0).map(channelJson))
    },
  },
  {
    method: 'POST',
    pattern: '/guilds/:guild/channels',
    auth: 'bot',
    handle(state, request) {
      guildParam(state, request)
      requirePermission(state, request, permissionBits.manageChannels)
      const channel: FakeChannel = {
        id: state.ids.next(),
        type: 0,
        name: textField(request, 'name', 100),
        guildId: state.guild.id,
        position: state.guild.channels.size,
        recipients: [],
        messages: [],
      }
      state.guild.channels.set(channel.id, channel)
      state.dispatch('CHANNEL_CREATE', channelJson(channel))
      return json(201, channelJson(channel))
    },
  },
  {
    method: 'GET',
    pattern: '/guilds/:guild/members',
    auth: 'bot',
    handle(state, request) {
      guildParam(state, request)
      const limit = limitParam(request, 1, 1, 1000)
      const cursor = request.query.get('after') ?? '0'
      const page = [...state.guild.members.values()]
        .sort((a, b) => (after(a.user.id, b.user.id) ? 1 : -1))
        .filter((m) => after(m.user.id, cursor))
        .slice(0, limit)
      return json(200, page.map(memberJson))
    },
  },
  {
    method: 'GET',
    pattern: '/guilds/:guild/members/:user',
    auth: 'bot',
    handle(state, request) {
      guildParam(state, request)
      return json(200, memberJson(memberParam(state, request)))
    },
  },
  {
    method: 'DELETE',
    pattern: '/guilds/:guild/members/:user',
    auth: 'bot',
    handle(state, request) {
      guildParam(state, request)
      const member = memberParam(state, request)
      requirePermission(state, request, permissionBits.kickMembers)
      state.guild.members.delete(member.user.id)
      state.dispatch('GUILD_MEMBER_REMOVE', { guild_id: state.guild.id, user: userJson(member.user) })
      return noContent()
    },
  },
  {
    method: 'GET',
    pattern: '/guilds/:guild/roles',
    auth: 'bot',
    handle(state, request) {
      guildParam(state, request)
      return json(200, [...state.guild.roles.values()].map(roleJson))
    },
  },
  ...(['PUT', 'DELETE'] as const).map((method): Route => ({
    method,
    pattern: '/guilds/:guild/members/:user/roles/:role',
    auth: 'bot',
    handle(state, request) {
      guildParam(state, request)
      const member = memberParam(state, request)
      const role = state.guild.roles.get(request.params.role ?? '')
      if (role === undefined || role.id === state.guild.everyone.id) {
        throw unknown.role()
      }
      requirePermission(state, request, permissionBits.manageRoles)
      if (method === 'PUT') {
        member.roleIds.add(role.id)
      } else {
        member.roleIds.delete(role.id)
      }
      state.dispatch('GUILD_MEMBER_UPDATE', { guild_id: state.guild.id, ...memberJson(member) })
      return noContent()
    },
  })),
  {
    method: 'GET',
    pattern: '/users/@me',
    auth: 'any',
    // The caller's own user carries what only they see (UserPIIResponse).
    handle: (_state, request) => json(200, { ...userJson(callerOf(request)), mfa_enabled: false, locale: 'en-US' }),
  },
  {
    method: 'GET',
    pattern: '/users/:user',
    auth: 'bot',
    handle(state, request) {
      const user = state.guild.users.get(request.params.user ?? '')
      if (user === undefined) {
        throw unknown.user()
      }
      return json(200, userJson(user))
    },
  },
]
