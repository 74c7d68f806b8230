import { botProfileJson } from './shapes.ts'
import type { FakeChannel, FakeMessage, Workspace } from './workspace.ts'

/** An Events API event the fake has to deliver, before it is wrapped in the `event_callback` envelope. */
export interface SlackEvent {
  event: Record<string, unknown>
  /** Events about a conversation reach the app only while its bot is a member (message.channels and the like). */
  channel: FakeChannel | null
  needsBotMember: boolean
  /** `tokens_revoked`, `app_uninstalled`: sent as the app loses its tokens, so also once it is uninstalled. */
  lifecycle?: boolean
}

export function channelType(channel: FakeChannel): string {
  if (channel.kind === 'channel') {
    return channel.isPrivate ? 'group' : 'channel'
  }
  return channel.kind
}

/** A message as message events carry it (unlike API responses, these include `app_id` and `edited`). */
export function messageEventBody(ws: Workspace, message: FakeMessage): Record<string, unknown> {
  const body: Record<string, unknown> = {
    type: 'message',
    ...(message.subtype === undefined ? {} : { subtype: message.subtype }),
    user: message.user,
    text: message.text,
    ts: message.ts,
    team: ws.team.id,
    ...message.extra,
  }
  if (message.clientMsgId !== undefined) {
    body.client_msg_id = message.clientMsgId
  }
  if (message.botId !== undefined) {
    Object.assign(body, { bot_id: message.botId, app_id: ws.appId, bot_profile: botProfileJson(ws) })
  }
  if (message.blocks !== undefined) {
    body.blocks = message.blocks
  }
  if (message.threadTs !== undefined) {
    body.thread_ts = message.threadTs
    const parent = ws.findChannel(message.channel)?.messages.find((m) => m.ts === message.threadTs)
    if (parent && parent !== message) {
      body.parent_user_id = parent.user
    }
  }
  if (message.edited !== undefined) {
    body.edited = message.edited
  }
  return body
}

export function messageEvent(ws: Workspace, channel: FakeChannel, message: FakeMessage): SlackEvent {
  return {
    event: {
      ...messageEventBody(ws, message),
      channel: channel.id,
      event_ts: message.ts,
      channel_type: channelType(channel),
    },
    channel,
    needsBotMember: true,
  }
}

/** The `event_callback` envelope (events-api/slack_common_event_wrapper_schema.json and samples/events). */
export function eventEnvelope(
  ws: Workspace,
  verificationToken: string,
  event: Record<string, unknown>,
  eventId: string,
): Record<string, unknown> {
  return {
    token: verificationToken,
    team_id: ws.team.id,
    context_team_id: ws.team.id,
    context_enterprise_id: null,
    api_app_id: ws.appId,
    event,
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(ws.now() / 1000),
    authorizations: [
      { enterprise_id: null, team_id: ws.team.id, user_id: ws.bot.id, is_bot: true, is_enterprise_install: false },
    ],
    authed_users: [ws.bot.id],
    is_ext_shared_channel: false,
    event_context: `4-${Buffer.from(`${ws.team.id}:${eventId}`).toString('base64url')}`,
  }
}
