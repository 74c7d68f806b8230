/**
 * The echo records of PolicyKit's own changes that the gateway reports without saying who made
 * them (a rename, a pin, a new channel): recorded right before the call, taken by the one event
 * that reports it, so it is not governed as a member's action. Messages need none: their author
 * is the bot or PolicyKit's webhook.
 */
export const discordEchoes = {
  rename: (channel: string, name: string) => `rename:${channel}:${name}`,
  pins: (channel: string) => `pins:${channel}`,
  createChannel: (name: string) => `create:${name}`,
  deleteChannel: (channel: string) => `delete:${channel}`,
}
