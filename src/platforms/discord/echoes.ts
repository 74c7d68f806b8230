import type { PlatformPorts } from '../platform-ports.ts'

/**
 * The echo records of PolicyKit's own changes that the gateway reports without saying who made
 * them (a rename, a pin or unpin, a new or deleted channel, a deleted message, a kick, a role
 * change): recorded right before the call, taken by the one event that reports it, so that it
 * is neither governed as a member's action nor handed to trigger policies. Messages PolicyKit
 * posts or edits need none: their author is the bot or PolicyKit's webhook.
 */
export const discordEchoes = {
  rename: (channel: string, name: string) => `rename:${channel}:${name}`,
  pins: (channel: string) => `pins:${channel}`,
  createChannel: (name: string) => `create:${name}`,
  deleteChannel: (channel: string) => `delete:${channel}`,
  deleteMessage: (channel: string, message: string) => `delete-message:${channel}:${message}`,
  memberRemoved: (user: string) => `member-removed:${user}`,
  memberRoles: (user: string) => `member-roles:${user}`,
}

/** Runs a call whose gateway event is PolicyKit's own: its echo recorded first, forgotten if the call fails. */
export async function expectingEcho<T>(
  ports: Pick<PlatformPorts, 'echoes'>,
  communityId: number,
  key: string,
  call: () => Promise<T>,
): Promise<T> {
  await ports.echoes.record(communityId, key)
  try {
    return await call()
  } catch (e) {
    await ports.echoes.forget(communityId, key)
    throw e
  }
}
