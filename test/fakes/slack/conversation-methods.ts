import { joinChannel, removeMember, renameChannel } from './operations.ts'
import { conversationJson } from './shapes.ts'
import type { MethodCall, SlackMethod } from './slack-method.ts'
import { SlackError, channelArg, flag, isPrivileged, need, page, str, userArg } from './slack-method.ts'
import type { FakeChannel } from './workspace.ts'

/** `conversations.*`: list, info, members, rename, join, invite, kick, open. */

const readScopes = ['channels:read', 'groups:read', 'im:read', 'mpim:read']
const manageScopes = ['channels:manage', 'channels:write', 'groups:write']

function typeOf(channel: FakeChannel): string {
  if (channel.kind === 'channel') {
    return channel.isPrivate ? 'private_channel' : 'public_channel'
  }
  return channel.kind
}

function assertChannel(channel: FakeChannel): void {
  if (channel.kind !== 'channel') {
    throw new SlackError('method_not_supported_for_channel_type')
  }
  if (channel.isArchived) {
    throw new SlackError('is_archived')
  }
}

function assertMember(call: MethodCall, channel: FakeChannel): void {
  if (!channel.members.includes(call.caller.id) && !isPrivileged(call)) {
    throw new SlackError('not_in_channel')
  }
}

const conversationsList: SlackMethod = {
  scopes: readScopes,
  run(call) {
    const { ws } = call.state
    const types = (str(call.args, 'types') ?? 'public_channel').split(',').map((t) => t.trim())
    const visible = ws.channels.filter(
      (c) =>
        types.includes(typeOf(c)) &&
        (!c.isPrivate || c.members.includes(call.caller.id)) &&
        !(flag(call.args, 'exclude_archived') && c.isArchived),
    )
    const { items, nextCursor } = page(call.args, visible, 100, call.state.maxPageSize)
    const channels = items.map((c) => conversationJson(ws, c, call.caller.id, { numMembers: true }))
    return { body: { channels, response_metadata: { next_cursor: nextCursor } } }
  },
}

const conversationsInfo: SlackMethod = {
  scopes: readScopes,
  run(call) {
    const channel = channelArg(call)
    const numMembers = flag(call.args, 'include_num_members')
    return { body: { channel: conversationJson(call.state.ws, channel, call.caller.id, { numMembers }) } }
  },
}

const conversationsMembers: SlackMethod = {
  scopes: readScopes,
  run(call) {
    const channel = channelArg(call)
    const { items, nextCursor } = page(call.args, channel.members, 100, call.state.maxPageSize)
    return { body: { members: items, response_metadata: { next_cursor: nextCursor } } }
  },
}

/** Slack's channel-name rules: lower case letters, digits, `-` and `_`, at most 80 characters. */
function validName(call: MethodCall, channel: FakeChannel): string {
  const name = need(call.args, 'name', 'invalid_name_required').toLowerCase()
  if (name.length > 80) {
    throw new SlackError('invalid_name_maxlength')
  }
  if (!/^[\p{Ll}\p{Lo}\p{N}_-]+$/u.test(name)) {
    throw new SlackError(/^[\p{P}]+$/u.test(name) ? 'invalid_name_punctuation' : 'invalid_name_specials')
  }
  if (call.state.ws.channels.some((c) => c !== channel && c.name === name)) {
    throw new SlackError('name_taken')
  }
  return name
}

const conversationsRename: SlackMethod = {
  scopes: manageScopes,
  run(call) {
    const { ws } = call.state
    const channel = channelArg(call)
    assertChannel(channel)
    assertMember(call, channel)
    if (channel.isGeneral && call.token?.kind === 'user' && !isPrivileged(call)) {
      throw new SlackError('not_authorized')
    }
    const name = validName(call, channel)
    const events = name === channel.name ? [] : renameChannel(ws, channel, name, call.caller)
    return { body: { channel: conversationJson(ws, channel, call.caller.id) }, events }
  },
}

const conversationsJoin: SlackMethod = {
  scopes: ['channels:join', 'channels:write'],
  run(call) {
    const { ws } = call.state
    const channel = channelArg(call)
    assertChannel(channel)
    if (channel.isPrivate) {
      throw new SlackError('method_not_supported_for_channel_type')
    }
    if (channel.members.includes(call.caller.id)) {
      const warning = 'already_in_channel'
      const body = { channel: conversationJson(ws, channel, call.caller.id), warning }
      return { body: { ...body, response_metadata: { warnings: [warning] } } }
    }
    const events = joinChannel(ws, channel, call.caller)
    return { body: { channel: conversationJson(ws, channel, call.caller.id) }, events }
  },
}

const conversationsInvite: SlackMethod = {
  scopes: [...manageScopes, 'channels:write.invites'],
  run(call) {
    const { ws } = call.state
    const channel = channelArg(call)
    assertChannel(channel)
    if (!channel.members.includes(call.caller.id)) {
      throw new SlackError('not_in_channel')
    }
    const ids = need(call.args, 'users', 'no_user')
      .split(',')
      .map((id) => id.trim())
    const users = ids.map((id) => userArg(call, id))
    for (const user of users) {
      if (user.id === call.caller.id) {
        throw new SlackError('cant_invite_self')
      }
      if (channel.members.includes(user.id)) {
        throw new SlackError('already_in_channel', {
          errors: [{ user: user.id, ok: false, error: 'already_in_channel' }],
        })
      }
    }
    const events = users.flatMap((user) => joinChannel(ws, channel, user, call.caller))
    return { body: { channel: conversationJson(ws, channel, call.caller.id) }, events }
  },
}

const conversationsKick: SlackMethod = {
  scopes: manageScopes,
  run(call) {
    const { ws } = call.state
    const channel = channelArg(call)
    assertChannel(channel)
    const user = userArg(call, str(call.args, 'user'))
    if (user.id === call.caller.id) {
      throw new SlackError('cant_kick_self')
    }
    if (channel.isGeneral) {
      throw new SlackError('cant_kick_from_general')
    }
    const isMember = channel.members.includes(call.caller.id)
    if (call.token?.kind === 'bot' && !isMember) {
      throw new SlackError('not_in_channel')
    }
    // Members may remove people from private channels; from public ones only admins and owners (Slack's default).
    if (call.token?.kind === 'user' && !isPrivileged(call) && !(channel.isPrivate && isMember)) {
      throw new SlackError('restricted_action')
    }
    if (!channel.members.includes(user.id)) {
      throw new SlackError('not_in_channel')
    }
    return { body: {}, events: removeMember(ws, channel, user) }
  },
}

const conversationsOpen: SlackMethod = {
  scopes: ['im:write', 'mpim:write'],
  run(call) {
    const { ws } = call.state
    const existing = str(call.args, 'channel')
    if (existing !== undefined) {
      const channel = channelArg(call)
      return { body: { no_op: true, already_open: true, channel: { id: channel.id } } }
    }
    const ids = (str(call.args, 'users') ?? '').split(',').filter((id) => id.trim() !== '')
    if (ids.length === 0) {
      throw new SlackError('users_list_not_supplied')
    }
    if (ids.length > 8) {
      throw new SlackError('too_many_users')
    }
    const users = ids.map((id) => userArg(call, id.trim()))
    const before = ws.channels.length
    const channel = ws.openConversation([call.caller.id, ...users.map((u) => u.id)])
    const known = ws.channels.length === before ? { no_op: true, already_open: true } : {}
    const json = channel.kind === 'im' ? { id: channel.id } : conversationJson(ws, channel, call.caller.id)
    return { body: { ...known, channel: json } }
  },
}

export const conversationMethods: Record<string, SlackMethod> = {
  'conversations.list': conversationsList,
  'conversations.info': conversationsInfo,
  'conversations.members': conversationsMembers,
  'conversations.rename': conversationsRename,
  'conversations.join': conversationsJoin,
  'conversations.invite': conversationsInvite,
  'conversations.kick': conversationsKick,
  'conversations.open': conversationsOpen,
}
