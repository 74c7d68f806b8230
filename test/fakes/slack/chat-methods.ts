import { deleteMessage, postEphemeral, postMessage, updateMessage } from './operations.ts'
import { botProfileJson, messageJson } from './shapes.ts'
import type { MethodCall, SlackMethod } from './slack-method.ts'
import { SlackError, blocksArg, channelArg, isPrivileged, messageArg, need, str, userArg } from './slack-method.ts'
import type { FakeChannel, FakeMessage } from './workspace.ts'

/** `chat.*`: post, update, delete, ephemeral, schedule, permalink. */

/** A channel id or name, or a user id (the app's DM with that user). */
function postTarget(call: MethodCall): FakeChannel {
  const id = need(call.args, 'channel', 'channel_not_found')
  const user = /^[UW]/.test(id) ? call.state.ws.user(id) : undefined
  return user ? call.state.ws.openConversation([call.caller.id, user.id]) : channelArg(call)
}

function assertMayPost(call: MethodCall, channel: FakeChannel): void {
  if (channel.isArchived) {
    throw new SlackError('is_archived')
  }
  const publicChannel = channel.kind === 'channel' && !channel.isPrivate
  const asPublicBot = call.token?.kind === 'bot' && publicChannel && call.token.scopes.includes('chat:write.public')
  if (!channel.members.includes(call.caller.id) && !asPublicBot) {
    throw new SlackError('not_in_channel')
  }
}

function content(call: MethodCall): { text: string; blocks?: unknown[] } {
  const text = str(call.args, 'text') ?? ''
  const blocks = blocksArg(call.args)
  if (text === '' && blocks === undefined && str(call.args, 'attachments') === undefined) {
    throw new SlackError('no_text')
  }
  if (text.length > 40_000) {
    throw new SlackError('msg_too_long')
  }
  return blocks === undefined ? { text } : { text, blocks }
}

function isAuthor(call: MethodCall, message: FakeMessage): boolean {
  if (call.token?.kind === 'bot') {
    return message.botId === call.caller.botId
  }
  return message.user === call.caller.id && message.botId === undefined
}

const chatPostMessage: SlackMethod = {
  scopes: ['chat:write'],
  run(call) {
    const channel = postTarget(call)
    assertMayPost(call, channel)
    const threadTs = str(call.args, 'thread_ts')
    const asBot = call.token?.kind === 'bot'
    // Slack shows a custom name and icon only for a bot token holding chat:write.customize.
    const customize = asBot && call.token?.scopes.includes('chat:write.customize') === true
    const username = customize ? str(call.args, 'username') : undefined
    const iconUrl = customize ? str(call.args, 'icon_url') : undefined
    const { message, events } = postMessage(call.state.ws, channel, call.caller, {
      ...content(call),
      threadTs,
      asBot,
      ...(username === undefined ? {} : { username }),
      ...(iconUrl === undefined ? {} : { iconUrl }),
    })
    return { body: { channel: channel.id, ts: message.ts, message: messageJson(call.state.ws, message) }, events }
  },
}

const chatPostEphemeral: SlackMethod = {
  scopes: ['chat:write'],
  run(call) {
    const channel = postTarget(call)
    assertMayPost(call, channel)
    const to = userArg(call, str(call.args, 'user'))
    if (!channel.members.includes(to.id)) {
      throw new SlackError('user_not_in_channel')
    }
    const threadTs = str(call.args, 'thread_ts')
    const ts = postEphemeral(call.state.ws, channel, call.caller, to, { ...content(call), threadTs })
    return { body: { message_ts: ts } }
  },
}

const chatUpdate: SlackMethod = {
  scopes: ['chat:write'],
  run(call) {
    const channel = channelArg(call)
    const message = messageArg(channel, call, 'ts')
    if (!isAuthor(call, message)) {
      throw new SlackError('cant_update_message')
    }
    const text = str(call.args, 'text')
    const blocks = blocksArg(call.args)
    if (text === undefined && blocks === undefined) {
      throw new SlackError('no_text')
    }
    const events = updateMessage(call.state.ws, channel, message, call.caller, { text, blocks })
    // The spec types chat.update's `message.blocks` as an object, so the echo of blocks is left out here.
    const echoed = { text: message.text, user: message.user, ...(message.botId ? { bot_id: message.botId } : {}) }
    return { body: { channel: channel.id, ts: message.ts, text: message.text, message: echoed }, events }
  },
}

const chatDelete: SlackMethod = {
  scopes: ['chat:write'],
  run(call) {
    const channel = channelArg(call)
    const message = messageArg(channel, call, 'ts')
    if (!isAuthor(call, message) && !isPrivileged(call)) {
      throw new SlackError('cant_delete_message')
    }
    const events = deleteMessage(call.state.ws, channel, message)
    return { body: { channel: channel.id, ts: message.ts }, events }
  },
}

/** Slack refuses schedules more than 120 days ahead. */
const maxScheduleSeconds = 120 * 24 * 3600

const chatScheduleMessage: SlackMethod = {
  scopes: ['chat:write'],
  run(call) {
    const { ws } = call.state
    const channel = postTarget(call)
    assertMayPost(call, channel)
    const postAt = Number(str(call.args, 'post_at'))
    const nowSeconds = Math.floor(ws.now() / 1000)
    if (!Number.isInteger(postAt)) {
      throw new SlackError('invalid_time')
    }
    if (postAt <= nowSeconds) {
      throw new SlackError('time_in_past')
    }
    if (postAt > nowSeconds + maxScheduleSeconds) {
      throw new SlackError('time_too_far')
    }
    const scheduled = {
      id: ws.ids.next('Q'),
      channel: channel.id,
      postAt,
      user: call.caller.id,
      threadTs: str(call.args, 'thread_ts'),
      ...content(call),
    }
    ws.scheduled.push(scheduled)
    const message = {
      type: 'delayed_message',
      text: scheduled.text,
      user: call.caller.id,
      team: ws.team.id,
      bot_id: ws.bot.botId,
      ...(call.token?.kind === 'bot' ? { bot_profile: botProfileJson(ws) } : {}),
    }
    return { body: { channel: channel.id, scheduled_message_id: scheduled.id, post_at: postAt, message } }
  },
}

const chatDeleteScheduledMessage: SlackMethod = {
  scopes: ['chat:write'],
  run(call) {
    const { ws } = call.state
    const channel = channelArg(call)
    const id = str(call.args, 'scheduled_message_id')
    const index = ws.scheduled.findIndex((s) => s.id === id && s.channel === channel.id)
    if (index < 0) {
      throw new SlackError('invalid_scheduled_message_id')
    }
    ws.scheduled.splice(index, 1)
    return { body: {} }
  },
}

const chatGetPermalink: SlackMethod = {
  scopes: [],
  run(call) {
    const channel = channelArg(call)
    const message = messageArg(channel, call, 'message_ts')
    const permalink = `https://${call.state.ws.team.domain}.slack.com/archives/${channel.id}/p${message.ts.replace('.', '')}`
    return { body: { channel: channel.id, permalink } }
  },
}

export const chatMethods: Record<string, SlackMethod> = {
  'chat.postMessage': chatPostMessage,
  'chat.postEphemeral': chatPostEphemeral,
  'chat.update': chatUpdate,
  'chat.delete': chatDelete,
  'chat.scheduleMessage': chatScheduleMessage,
  'chat.deleteScheduledMessage': chatDeleteScheduledMessage,
  'chat.getPermalink': chatGetPermalink,
}
