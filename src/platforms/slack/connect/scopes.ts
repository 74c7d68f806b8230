/**
 * What the bot token may do: read and post in conversations (re-posting a member's message under
 * their name and picture), manage them, pins and reactions, and read the workspace's people. The
 * README lists these for the Slack app's set-up.
 */
export const slackBotScopes = [
  'channels:history',
  'channels:join',
  'channels:manage',
  'channels:read',
  'chat:write',
  'chat:write.customize',
  'chat:write.public',
  'groups:history',
  'groups:read',
  'groups:write',
  'im:history',
  'im:read',
  'im:write',
  'mpim:history',
  'mpim:read',
  'mpim:write',
  'pins:read',
  'pins:write',
  'reactions:read',
  'reactions:write',
  'team:read',
  'users:read',
] as const

/** The installing admin's user token: deleting members' messages, renaming and kicking as an admin. */
export const slackUserScopes = ['chat:write', 'channels:write', 'groups:write', 'im:write', 'mpim:write'] as const
