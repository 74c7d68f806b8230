import { addReaction, pinMessage, removeReaction, unpinMessage } from './operations.ts'
import { messageJson, teamJson, userJson } from './shapes.ts'
import type { MethodCall, SlackMethod } from './slack-method.ts'
import { SlackError, channelArg, messageArg, need, page, str, userArg } from './slack-method.ts'
import type { FakeChannel } from './workspace.ts'

/** `users.*`, `team.info`, `auth.*`, `pins.*`, `reactions.*`. */

const usersList: SlackMethod = {
  scopes: ['users:read'],
  run(call) {
    const { ws } = call.state
    const { items, nextCursor } = page(call.args, ws.users, 1000, call.state.maxPageSize)
    const members = items.map((user) => userJson(ws, user))
    return {
      body: { members, cache_ts: Math.floor(ws.now() / 1000), response_metadata: { next_cursor: nextCursor } },
    }
  },
}

const usersInfo: SlackMethod = {
  scopes: ['users:read'],
  run(call) {
    return { body: { user: userJson(call.state.ws, userArg(call, str(call.args, 'user'))) } }
  },
}

const teamInfo: SlackMethod = {
  scopes: ['team:read'],
  run(call) {
    const team = str(call.args, 'team')
    if (team !== undefined && team !== call.state.ws.team.id) {
      throw new SlackError('team_not_found')
    }
    return { body: { team: teamJson(call.state.ws) } }
  },
}

const authTest: SlackMethod = {
  scopes: [],
  run(call) {
    const { ws } = call.state
    return {
      body: {
        url: `https://${ws.team.domain}.slack.com/`,
        team: ws.team.name,
        user: call.caller.name,
        team_id: ws.team.id,
        user_id: call.caller.id,
        ...(call.token?.kind === 'bot' && call.caller.botId !== null ? { bot_id: call.caller.botId } : {}),
        is_enterprise_install: false,
      },
    }
  },
}

const authRevoke: SlackMethod = {
  scopes: [],
  run(call) {
    if (call.token && str(call.args, 'test') === undefined) {
      call.token.revoked = true
    }
    return { body: { revoked: true } }
  },
}

function assertMember(call: MethodCall, channel: FakeChannel): void {
  if (!channel.members.includes(call.caller.id)) {
    throw new SlackError('not_in_channel')
  }
}

const pinsAdd: SlackMethod = {
  scopes: ['pins:write'],
  run(call) {
    const channel = channelArg(call)
    assertMember(call, channel)
    const message = messageArg(channel, call, 'timestamp')
    if (channel.pins.includes(message.ts)) {
      throw new SlackError('already_pinned')
    }
    return { body: {}, events: pinMessage(call.state.ws, channel, message, call.caller) }
  },
}

const pinsRemove: SlackMethod = {
  scopes: ['pins:write'],
  run(call) {
    const channel = channelArg(call)
    assertMember(call, channel)
    const message = messageArg(channel, call, 'timestamp')
    if (!channel.pins.includes(message.ts)) {
      throw new SlackError('not_pinned')
    }
    return { body: {}, events: unpinMessage(call.state.ws, channel, message, call.caller) }
  },
}

const reactionsGet: SlackMethod = {
  scopes: ['reactions:read'],
  run(call) {
    const channel = channelArg(call)
    const message = messageArg(channel, call, 'timestamp')
    return { body: { type: 'message', channel: channel.id, message: messageJson(call.state.ws, message) } }
  },
}

const reactionsAdd: SlackMethod = {
  scopes: ['reactions:write'],
  run(call) {
    const channel = channelArg(call)
    const message = messageArg(channel, call, 'timestamp')
    const name = need(call.args, 'name', 'invalid_name').replace(/^:|:$/g, '')
    if (message.reactions.some((r) => r.name === name && r.users.includes(call.caller.id))) {
      throw new SlackError('already_reacted')
    }
    return { body: {}, events: addReaction(call.state.ws, channel, message, call.caller, name) }
  },
}

const reactionsRemove: SlackMethod = {
  scopes: ['reactions:write'],
  run(call) {
    const channel = channelArg(call)
    const message = messageArg(channel, call, 'timestamp')
    const name = need(call.args, 'name', 'invalid_name').replace(/^:|:$/g, '')
    if (!message.reactions.some((r) => r.name === name && r.users.includes(call.caller.id))) {
      throw new SlackError('no_reaction')
    }
    return { body: {}, events: removeReaction(call.state.ws, channel, message, call.caller, name) }
  },
}

export const workspaceMethods: Record<string, SlackMethod> = {
  'users.list': usersList,
  'users.info': usersInfo,
  'team.info': teamInfo,
  'auth.test': authTest,
  'auth.revoke': authRevoke,
  'pins.add': pinsAdd,
  'pins.remove': pinsRemove,
  'reactions.get': reactionsGet,
  'reactions.add': reactionsAdd,
  'reactions.remove': reactionsRemove,
}
