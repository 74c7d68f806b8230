import { randomUUID } from 'node:crypto'
import { channelType, messageEvent, messageEventBody } from './events.ts'
import type { SlackEvent } from './events.ts'
import type { FakeChannel, FakeMessage, FakeUser, Workspace } from './workspace.ts'

/**
 * Changes to the workspace, each returning the events real Slack sends about it. Permissions are
 * checked by the callers (the Web API methods answer with Slack errors, the driver throws).
 */

export function postMessage(
  ws: Workspace,
  channel: FakeChannel,
  author: FakeUser,
  fields: {
    text: string
    blocks?: unknown[]
    threadTs?: string
    asBot: boolean
    typed?: boolean
    /** A bot message's custom name and icon (already checked against chat:write.customize). */
    username?: string
    iconUrl?: string
  },
): { message: FakeMessage; events: SlackEvent[] } {
  const message: FakeMessage = {
    ts: ws.ids.nextTs(),
    channel: channel.id,
    user: author.id,
    text: fields.text,
    reactions: [],
    replies: [],
    ...(fields.blocks === undefined ? {} : { blocks: fields.blocks }),
    ...(fields.asBot && author.botId !== null ? { botId: author.botId } : {}),
    ...(fields.typed ? { clientMsgId: randomUUID() } : {}),
    ...(fields.asBot && fields.username !== undefined ? { username: fields.username } : {}),
    ...(fields.asBot && fields.iconUrl !== undefined ? { iconUrl: fields.iconUrl } : {}),
  }
  const parent = fields.threadTs === undefined ? undefined : ws.message(channel, fields.threadTs)
  if (parent) {
    message.threadTs = parent.threadTs ?? parent.ts
    const root = ws.message(channel, message.threadTs) ?? parent
    root.replies.push(message.ts)
  }
  channel.messages.push(message)
  return { message, events: [messageEvent(ws, channel, message)] }
}

/** A message Slack itself writes into the channel (`channel_name`, `channel_join`). */
function systemMessage(
  ws: Workspace,
  channel: FakeChannel,
  user: FakeUser,
  subtype: string,
  text: string,
  extra: Record<string, string>,
): SlackEvent {
  const ts = ws.ids.nextTs()
  const message: FakeMessage = {
    ts,
    channel: channel.id,
    user: user.id,
    text,
    subtype,
    extra,
    reactions: [],
    replies: [],
  }
  channel.messages.push(message)
  return messageEvent(ws, channel, message)
}

export function updateMessage(
  ws: Workspace,
  channel: FakeChannel,
  message: FakeMessage,
  editor: FakeUser,
  fields: { text?: string; blocks?: unknown[] },
): SlackEvent[] {
  const previous = messageEventBody(ws, message)
  const eventTs = ws.ids.nextTs()
  message.text = fields.text ?? message.text
  if (fields.blocks !== undefined) {
    message.blocks = fields.blocks
  }
  message.edited = { user: editor.id, ts: eventTs }
  const event = {
    type: 'message',
    subtype: 'message_changed',
    hidden: true,
    channel: channel.id,
    channel_type: channelType(channel),
    message: messageEventBody(ws, message),
    previous_message: previous,
    ts: eventTs,
    event_ts: eventTs,
  }
  return [{ event, channel, needsBotMember: true }]
}

export function deleteMessage(ws: Workspace, channel: FakeChannel, message: FakeMessage): SlackEvent[] {
  message.deleted = true
  channel.pins = channel.pins.filter((ts) => ts !== message.ts)
  const eventTs = ws.ids.nextTs()
  const event = {
    type: 'message',
    subtype: 'message_deleted',
    hidden: true,
    channel: channel.id,
    channel_type: channelType(channel),
    deleted_ts: message.ts,
    previous_message: messageEventBody(ws, message),
    ts: eventTs,
    event_ts: eventTs,
  }
  return [{ event, channel, needsBotMember: true }]
}

/** `channel_rename` (`group_rename` for a private channel), then the `channel_name` message in the channel. */
export function renameChannel(ws: Workspace, channel: FakeChannel, name: string, by: FakeUser): SlackEvent[] {
  const oldName = channel.name
  channel.previousNames.unshift(oldName)
  channel.name = name
  const renamed = {
    type: channel.isPrivate ? 'group_rename' : 'channel_rename',
    channel: {
      id: channel.id,
      name,
      name_normalized: name,
      created: channel.created,
      is_channel: !channel.isPrivate,
      is_mpim: false,
    },
    event_ts: ws.ids.nextTs(),
  }
  const text = `<@${by.id}> renamed the channel from "${oldName}" to "${name}"`
  return [
    { event: renamed, channel, needsBotMember: channel.isPrivate },
    systemMessage(ws, channel, by, 'channel_name', text, { old_name: oldName, name }),
  ]
}

/** `member_joined_channel`, then the `channel_join` message. */
export function joinChannel(ws: Workspace, channel: FakeChannel, user: FakeUser, inviter?: FakeUser): SlackEvent[] {
  channel.members.push(user.id)
  const invited: Record<string, string> = inviter === undefined ? {} : { inviter: inviter.id }
  const joined = {
    type: 'member_joined_channel',
    user: user.id,
    channel: channel.id,
    channel_type: channel.isPrivate ? 'G' : 'C',
    team: ws.team.id,
    ...invited,
    event_ts: ws.ids.nextTs(),
  }
  const text = `<@${user.id}> has joined the channel`
  return [
    { event: joined, channel, needsBotMember: true },
    systemMessage(ws, channel, user, 'channel_join', text, invited),
  ]
}

export function removeMember(ws: Workspace, channel: FakeChannel, user: FakeUser): SlackEvent[] {
  channel.members = channel.members.filter((id) => id !== user.id)
  const event = {
    type: 'member_left_channel',
    user: user.id,
    channel: channel.id,
    channel_type: channel.isPrivate ? 'G' : 'C',
    team: ws.team.id,
    event_ts: ws.ids.nextTs(),
  }
  return [{ event, channel, needsBotMember: user.id !== ws.bot.id }]
}

function pinItem(ws: Workspace, channel: FakeChannel, message: FakeMessage, by: FakeUser) {
  return {
    user: by.id,
    channel_id: channel.id,
    item: {
      type: 'message',
      created: Math.floor(ws.now() / 1000),
      created_by: by.id,
      channel: channel.id,
      message: {
        ...messageEventBody(ws, message),
        ...(channel.pins.includes(message.ts) ? { pinned_to: [channel.id] } : {}),
        permalink: `https://${ws.team.domain}.slack.com/archives/${channel.id}/p${message.ts.replace('.', '')}`,
      },
    },
    item_user: message.user,
    pin_count: channel.pins.length,
    pinned_info: { channel: channel.id, pinned_by: by.id, pinned_ts: Math.floor(ws.now() / 1000) },
    event_ts: ws.ids.nextTs(),
  }
}

export function pinMessage(ws: Workspace, channel: FakeChannel, message: FakeMessage, by: FakeUser): SlackEvent[] {
  channel.pins.push(message.ts)
  return [{ event: { type: 'pin_added', ...pinItem(ws, channel, message, by) }, channel, needsBotMember: true }]
}

export function unpinMessage(ws: Workspace, channel: FakeChannel, message: FakeMessage, by: FakeUser): SlackEvent[] {
  channel.pins = channel.pins.filter((ts) => ts !== message.ts)
  const event = { type: 'pin_removed', ...pinItem(ws, channel, message, by), has_pins: channel.pins.length > 0 }
  return [{ event, channel, needsBotMember: true }]
}

export function addReaction(
  ws: Workspace,
  channel: FakeChannel,
  message: FakeMessage,
  user: FakeUser,
  name: string,
): SlackEvent[] {
  const reaction = message.reactions.find((r) => r.name === name)
  if (reaction) {
    reaction.users.push(user.id)
  } else {
    message.reactions.push({ name, users: [user.id] })
  }
  return [reactionEvent(ws, channel, message, user, name, 'reaction_added')]
}

export function removeReaction(
  ws: Workspace,
  channel: FakeChannel,
  message: FakeMessage,
  user: FakeUser,
  name: string,
): SlackEvent[] {
  for (const reaction of message.reactions) {
    if (reaction.name === name) {
      reaction.users = reaction.users.filter((id) => id !== user.id)
    }
  }
  message.reactions = message.reactions.filter((r) => r.users.length > 0)
  return [reactionEvent(ws, channel, message, user, name, 'reaction_removed')]
}

function reactionEvent(
  ws: Workspace,
  channel: FakeChannel,
  message: FakeMessage,
  user: FakeUser,
  name: string,
  type: string,
): SlackEvent {
  const event = {
    type,
    user: user.id,
    reaction: name,
    item_user: message.user,
    item: { type: 'message', channel: channel.id, ts: message.ts },
    event_ts: ws.ids.nextTs(),
  }
  return { event, channel, needsBotMember: true }
}

/** A message only `to` sees; Slack sends no event for it. */
export function postEphemeral(
  ws: Workspace,
  channel: FakeChannel,
  from: FakeUser,
  to: FakeUser,
  fields: { text: string; blocks?: unknown[]; threadTs?: string },
): string {
  const ts = ws.ids.nextTs()
  ws.ephemerals.push({ channel: channel.id, user: to.id, from: from.id, ts, ...fields })
  return ts
}
