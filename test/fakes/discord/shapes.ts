import type { FakeChannel, FakeMember, FakeMessage, FakeRole, FakeUser, FakeWebhook, Guild } from './guild.ts'

/**
 * The model as Discord's REST v10 JSON (the spec's `…Response` schemas, every required field
 * present; fake-discord.test.ts checks them against the spec). Ids stay strings: snowflakes
 * exceed JavaScript's safe integers.
 */
export type Json = Record<string, unknown>

export function userJson(user: FakeUser): Json {
  return {
    id: user.id,
    username: user.username,
    avatar: null,
    discriminator: '0',
    public_flags: 0,
    flags: 0,
    bot: user.bot,
    global_name: user.globalName,
    primary_guild: null,
  }
}

export function memberJson(member: FakeMember): Json {
  return {
    avatar: null,
    banner: null,
    communication_disabled_until: null,
    flags: 0,
    joined_at: member.joinedAt,
    nick: null,
    pending: false,
    premium_since: null,
    roles: [...member.roleIds],
    user: userJson(member.user),
    mute: false,
    deaf: false,
  }
}

export function roleJson(role: FakeRole): Json {
  return {
    id: role.id,
    name: role.name,
    permissions: role.permissions.toString(),
    position: role.position,
    color: 0,
    colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
    hoist: false,
    managed: false,
    mentionable: false,
    icon: null,
    unicode_emoji: null,
    flags: 0,
  }
}

export function channelJson(channel: FakeChannel): Json {
  if (channel.type === 1) {
    return {
      id: channel.id,
      type: 1,
      flags: 0,
      last_message_id: channel.messages.at(-1)?.id ?? null,
      recipients: channel.recipients.map(userJson),
    }
  }
  return {
    id: channel.id,
    type: 0,
    flags: 0,
    last_message_id: channel.messages.at(-1)?.id ?? null,
    guild_id: channel.guildId,
    name: channel.name,
    parent_id: null,
    position: channel.position,
    permission_overwrites: [],
    topic: null,
    nsfw: false,
    rate_limit_per_user: 0,
  }
}

export function messageJson(message: FakeMessage, viewerId: string | null): Json {
  return {
    type: message.type ?? (message.replyTo === null ? 0 : 19),
    content: message.content,
    mentions: [],
    mention_roles: [],
    attachments: [],
    embeds: [],
    timestamp: message.timestamp,
    edited_timestamp: null,
    flags: 0,
    components: message.components,
    id: message.id,
    channel_id: message.channelId,
    author: userJson(message.author),
    pinned: message.pinned,
    mention_everyone: false,
    tts: false,
    ...(message.webhookId === null ? {} : { webhook_id: message.webhookId }),
    ...(message.replyTo === null
      ? {}
      : { message_reference: { type: 0, channel_id: message.channelId, message_id: message.replyTo } }),
    ...(message.reactions.size === 0
      ? {}
      : {
          reactions: [...message.reactions].map(([name, users]) => ({
            emoji: { id: null, name },
            count: users.length,
            count_details: { burst: 0, normal: users.length },
            burst_colors: [],
            me_burst: false,
            me: viewerId !== null && users.includes(viewerId),
          })),
        }),
  }
}

export function webhookJson(webhook: FakeWebhook, creator: FakeUser, guildId: string): Json {
  return {
    application_id: webhook.applicationId,
    avatar: null,
    channel_id: webhook.channelId,
    guild_id: guildId,
    id: webhook.id,
    name: webhook.name,
    type: 1,
    user: userJson(creator),
    token: webhook.token,
  }
}

/** A guild as `GET /guilds/{id}` and the OAuth token answer (bot scope) show it: a plain community server. */
export function guildJson(guild: Guild): Json {
  return {
    id: guild.id,
    name: guild.name,
    icon: null,
    description: null,
    home_header: null,
    splash: null,
    discovery_splash: null,
    features: [],
    banner: null,
    owner_id: guild.ownerId,
    application_id: null,
    region: 'deprecated',
    afk_channel_id: null,
    afk_timeout: 300,
    system_channel_id: null,
    system_channel_flags: 0,
    widget_enabled: false,
    widget_channel_id: null,
    verification_level: 0,
    roles: [...guild.roles.values()].map(roleJson),
    default_message_notifications: 0,
    mfa_level: 0,
    explicit_content_filter: 0,
    max_presences: null,
    max_members: 500000,
    max_stage_video_channel_users: 50,
    max_video_channel_users: 25,
    vanity_url_code: null,
    premium_tier: 0,
    premium_subscription_count: 0,
    preferred_locale: 'en-US',
    rules_channel_id: null,
    safety_alerts_channel_id: null,
    public_updates_channel_id: null,
    premium_progress_bar_enabled: false,
    nsfw: false,
    nsfw_level: 0,
    emojis: [],
    stickers: [],
    incidents_data: null,
  }
}
