import type { Snowflakes } from './snowflakes.ts'

/**
 * The fake's model of one guild (Discord's server): people, roles, channels with their messages,
 * pins, reactions and webhooks. Routes and the driver change it; shapes.ts turns it into JSON.
 */
export interface FakeUser {
  id: string
  username: string
  globalName: string | null
  bot: boolean
}

export interface FakeRole {
  id: string
  name: string
  /** Permission bits, as Discord's decimal string. */
  permissions: bigint
  position: number
}

export interface FakeMember {
  user: FakeUser
  roleIds: Set<string>
  joinedAt: string
}

export interface FakeMessage {
  id: string
  channelId: string
  author: FakeUser
  content: string
  timestamp: string
  pinned: boolean
  /** Set when a webhook posted it (re-posting under a member's name). */
  webhookId: string | null
  components: unknown[]
  /** The message this one replies to (for a pin notice, type 6: the message pinned). */
  replyTo: string | null
  /** Discord's message type when it is not a plain message (0) or reply (19): 6, a pin notice. */
  type?: number
  /** Emoji name → ids of the users who reacted with it, in order. */
  reactions: Map<string, string[]>
}

export interface FakeChannel {
  id: string
  /** 0: a text channel, 1: a direct message. */
  type: 0 | 1
  name: string
  guildId: string | null
  position: number
  /** Who a direct-message channel is with. */
  recipients: FakeUser[]
  messages: FakeMessage[]
}

export interface FakeWebhook {
  id: string
  token: string
  channelId: string
  name: string
  /** The application that made it (ours, for webhooks the bot creates). */
  applicationId: string | null
}

export interface Guild {
  id: string
  name: string
  ownerId: string
  users: Map<string, FakeUser>
  members: Map<string, FakeMember>
  roles: Map<string, FakeRole>
  channels: Map<string, FakeChannel>
  webhooks: Map<string, FakeWebhook>
  /** The `@everyone` role: its id is the guild's. */
  everyone: FakeRole
}

/** Discord's permission bits the fake checks and the platform asks for. */
export const permissionBits = {
  kickMembers: 1n << 1n,
  administrator: 1n << 3n,
  manageChannels: 1n << 4n,
  manageGuild: 1n << 5n,
  addReactions: 1n << 6n,
  viewChannel: 1n << 10n,
  sendMessages: 1n << 11n,
  manageMessages: 1n << 13n,
  readMessageHistory: 1n << 16n,
  manageRoles: 1n << 28n,
  manageWebhooks: 1n << 29n,
} as const

export function createGuild(ids: Snowflakes, name: string, owner: FakeUser): Guild {
  const id = ids.next()
  const everyone: FakeRole = {
    id,
    name: '@everyone',
    permissions: permissionBits.viewChannel | permissionBits.sendMessages | permissionBits.addReactions,
    position: 0,
  }
  return {
    id,
    name,
    ownerId: owner.id,
    users: new Map([[owner.id, owner]]),
    members: new Map(),
    roles: new Map([[id, everyone]]),
    channels: new Map(),
    webhooks: new Map(),
    everyone,
  }
}

/** The member's permissions in the guild: the owner holds all, otherwise the union of their roles'. */
export function memberPermissions(guild: Guild, userId: string): bigint {
  const member = guild.members.get(userId)
  if (member === undefined) {
    return 0n
  }
  if (userId === guild.ownerId) {
    return ~0n
  }
  let bits = guild.everyone.permissions
  for (const roleId of member.roleIds) {
    bits |= guild.roles.get(roleId)?.permissions ?? 0n
  }
  return (bits & permissionBits.administrator) !== 0n ? ~0n : bits
}

export function hasPermission(guild: Guild, userId: string, bit: bigint): boolean {
  return (memberPermissions(guild, userId) & bit) === bit
}
