/**
 * The bot events the Slack app subscribes to, as its _Event Subscriptions_ page names them. The
 * README lists them for the app's set-up, and a test keeps the two equal and checks that each is
 * handled: `message.channels` and `message.groups` deliver `message` events (public and private
 * channels); `app_uninstalled` and `tokens_revoked` switch the connection off
 * (`lifecycle.ts`); every other one is offered to trigger policies (`triggers.ts`).
 */
export const slackBotEvents = [
  'message.channels',
  'message.groups',
  'channel_rename',
  'group_rename',
  'member_joined_channel',
  'member_left_channel',
  'pin_added',
  'pin_removed',
  'reaction_added',
  'reaction_removed',
  'app_uninstalled',
  'tokens_revoked',
] as const
