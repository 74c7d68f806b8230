import type { FakeChannel, FakeMessage, FakeUser, Workspace } from './workspace.ts'

/** How the Web API shows the model's objects, field for field as in slack_web_openapi_v2.json. */

const avatar = (id: string, size: number) => `https://avatars.slack-edge.com/fake/${id.toLowerCase()}_${size}.png`

export function botProfileJson(ws: Workspace): Record<string, unknown> {
  return {
    id: ws.bot.botId,
    deleted: false,
    name: ws.appName,
    updated: 1_700_000_000,
    app_id: ws.appId,
    icons: { image_36: avatar(ws.appId, 36), image_48: avatar(ws.appId, 48), image_72: avatar(ws.appId, 72) },
    team_id: ws.team.id,
  }
}

/** The `objs_message` shape (API responses allow no `edited`, `app_id` or `channel` there). */
export function messageJson(ws: Workspace, message: FakeMessage): Record<string, unknown> {
  const json: Record<string, unknown> = {
    type: 'message',
    ...(message.subtype === undefined ? {} : { subtype: message.subtype }),
    text: message.text,
    user: message.user,
    ts: message.ts,
    team: ws.team.id,
    ...message.extra,
  }
  if (message.clientMsgId !== undefined) {
    json.client_msg_id = message.clientMsgId
  }
  if (message.botId !== undefined) {
    json.bot_id = message.botId
    json.bot_profile = botProfileJson(ws)
    if (message.username !== undefined) {
      json.username = message.username
    }
    if (message.iconUrl !== undefined) {
      json.icons = { image_48: message.iconUrl }
    }
  }
  if (message.blocks !== undefined) {
    json.blocks = message.blocks
  }
  if (message.threadTs !== undefined) {
    json.thread_ts = message.threadTs
    if (message.threadTs !== message.ts) {
      json.parent_user_id = parentUser(ws, message)
    }
  }
  if (message.replies.length > 0) {
    const replies = message.replies
    const users = [...new Set(replies.map((ts) => replyAuthor(ws, message, ts)).filter((id) => id !== ''))]
    Object.assign(json, {
      thread_ts: message.ts,
      reply_count: replies.length,
      reply_users: users,
      reply_users_count: users.length,
      latest_reply: replies[replies.length - 1],
    })
  }
  if (message.reactions.length > 0) {
    json.reactions = message.reactions.map((r) => ({ name: r.name, users: r.users, count: r.users.length }))
  }
  return json
}

function parentUser(ws: Workspace, message: FakeMessage): string {
  const channel = ws.findChannel(message.channel)
  return channel?.messages.find((m) => m.ts === message.threadTs)?.user ?? message.user
}

function replyAuthor(ws: Workspace, parent: FakeMessage, ts: string): string {
  return ws.findChannel(parent.channel)?.messages.find((m) => m.ts === ts)?.user ?? ''
}

/** `objs_conversation` for channels and group DMs; an IM gets Slack's short IM object. */
export function conversationJson(
  ws: Workspace,
  channel: FakeChannel,
  viewerId: string,
  options: { numMembers?: boolean } = {},
): Record<string, unknown> {
  if (channel.kind === 'im') {
    return {
      id: channel.id,
      created: channel.created,
      is_im: true,
      is_org_shared: false,
      user: channel.members.find((id) => id !== viewerId) ?? viewerId,
      is_user_deleted: false,
      priority: 0,
    }
  }
  const empty = { value: '', creator: '', last_set: 0 }
  return {
    id: channel.id,
    name: channel.name,
    is_channel: channel.kind === 'channel',
    is_group: channel.kind === 'mpim',
    is_im: false,
    is_mpim: channel.kind === 'mpim',
    is_private: channel.isPrivate,
    created: channel.created,
    is_archived: channel.isArchived,
    is_general: channel.isGeneral,
    unlinked: 0,
    name_normalized: channel.name,
    is_shared: false,
    is_org_shared: false,
    is_ext_shared: false,
    is_pending_ext_shared: false,
    pending_shared: [],
    pending_connected_team_ids: [],
    shared_team_ids: [ws.team.id],
    parent_conversation: null,
    creator: channel.creator,
    is_member: channel.members.includes(viewerId),
    topic: empty,
    purpose: empty,
    previous_names: channel.previousNames,
    ...(options.numMembers ? { num_members: channel.members.length } : {}),
  }
}

/** `objs_user` (the non-enterprise variant). */
export function userJson(ws: Workspace, user: FakeUser): Record<string, unknown> {
  const [first = '', ...rest] = user.realName.split(' ')
  const images = Object.fromEntries([24, 32, 48, 72, 192, 512].map((size) => [`image_${size}`, avatar(user.id, size)]))
  return {
    id: user.id,
    team_id: user.teamId ?? ws.team.id,
    name: user.name,
    deleted: user.deleted ?? false,
    color: '9f69e7',
    real_name: user.realName,
    tz: 'Europe/London',
    tz_label: 'Greenwich Mean Time',
    tz_offset: 0,
    profile: {
      title: '',
      phone: '',
      skype: '',
      real_name: user.realName,
      real_name_normalized: user.realName,
      display_name: user.isBot ? '' : user.name,
      display_name_normalized: user.isBot ? '' : user.name,
      fields: null,
      status_text: '',
      status_emoji: '',
      status_expiration: 0,
      avatar_hash: `g${user.id.toLowerCase()}`,
      ...(user.isBot ? { api_app_id: ws.appId, always_active: true, bot_id: user.botId } : { email: user.email }),
      first_name: first,
      last_name: rest.join(' '),
      ...images,
      team: ws.team.id,
    },
    is_admin: user.isAdmin,
    is_owner: user.isOwner,
    is_primary_owner: user.isOwner && ws.users.find((u) => u.isOwner) === user,
    is_restricted: false,
    is_ultra_restricted: false,
    is_bot: user.isBot,
    is_app_user: user.isAppUser ?? false,
    updated: 1_700_000_000,
  }
}

/** `objs_team`. */
export function teamJson(ws: Workspace): Record<string, unknown> {
  return {
    id: ws.team.id,
    name: ws.team.name,
    domain: ws.team.domain,
    email_domain: `${ws.team.domain}.example.com`,
    icon: {
      image_34: avatar(ws.team.id, 34),
      image_44: avatar(ws.team.id, 44),
      image_68: avatar(ws.team.id, 68),
      image_88: avatar(ws.team.id, 88),
      image_102: avatar(ws.team.id, 102),
      image_132: avatar(ws.team.id, 132),
      image_default: true,
    },
  }
}
