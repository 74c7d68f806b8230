/**
 * Discord's permission bits PolicyKit's bot uses, and which of them each governed action needs:
 * the install asks for exactly their union (the `permissions` integer of the authorize URL).
 */
export const discordPermissionBits = {
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

const bits = discordPermissionBits

/** What each of the bot's jobs needs. */
export const discordPermissionNeeds: Record<string, bigint> = {
  /** Seeing channels and their messages (every governed action starts there). */
  listen: bits.viewChannel | bits.readMessageHistory,
  /** postMessage: delete a member's message (revert), post votes and messages, re-post as the author through a channel webhook. */
  postMessage: bits.manageMessages | bits.sendMessages | bits.manageWebhooks,
  /** Votes: the bot's 👍/👎 (or number) reactions on the vote message. */
  initiateVote: bits.sendMessages | bits.addReactions,
  renameChannel: bits.manageChannels,
  pinMessage: bits.manageMessages,
  createChannel: bits.manageChannels,
  kickMember: bits.kickMembers,
  addRole: bits.manageRoles,
  removeRole: bits.manageRoles,
  sendDirectMessage: bits.sendMessages,
}

/** The permissions integer the install asks Discord for: the union of every need. */
export function discordInstallPermissions(): bigint {
  return Object.values(discordPermissionNeeds).reduce((all, need) => all | need, 0n)
}

/** Whether `permissions` (a member's, computed) let them manage the guild: Administrator or Manage Guild. */
export function canManageGuild(permissions: bigint): boolean {
  return (permissions & (bits.administrator | bits.manageGuild)) !== 0n
}

/**
 * A member's guild permissions as Discord computes them: the owner holds all; otherwise the union
 * of @everyone's (the role whose id is the guild's) and their roles'.
 */
export function memberGuildPermissions(input: {
  guildId: string
  ownerId: string
  userId: string
  memberRoleIds: readonly string[]
  roles: ReadonlyArray<{ id: string; permissions: string }>
}): bigint {
  if (input.userId === input.ownerId) {
    return ~0n
  }
  const held = new Set([input.guildId, ...input.memberRoleIds])
  return input.roles.filter((r) => held.has(r.id)).reduce((all, r) => all | BigInt(r.permissions), 0n)
}
