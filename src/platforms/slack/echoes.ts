/**
 * PolicyKit's own Slack calls come back as events (a rename PolicyKit made arrives as a
 * `channel_name` message by the installing admin). Before such a call the caller records the
 * echo it expects (the kit's echo records, `ports.echoes`), by these keys; the listener consumes
 * that record when the event arrives and so knows the event is PolicyKit's, not a member's. Identity, not a time window: a member who does the
 * same thing a second later is still governed. Messages need no record: PolicyKit posts as its
 * bot, and the listener ignores the bot's own messages.
 */
export const echoKey = {
  /** The `channel_name` message a rename posts. */
  rename: (channel: string, name: string) => `rename:${channel}:${name}`,
  /** The `channel_rename` / `group_rename` event of the same rename. */
  renamed: (channel: string, name: string) => `renamed:${channel}:${name}`,
  join: (channel: string, user: string) => `join:${channel}:${user}`,
  /** `member_left_channel` after a kick (made with the admin's token, it names no remover). */
  leave: (channel: string, user: string) => `leave:${channel}:${user}`,
  pin: (channel: string, ts: string) => `pin:${channel}:${ts}`,
  unpin: (channel: string, ts: string) => `unpin:${channel}:${ts}`,
  /** `message_deleted` after PolicyKit deleted a message (with the admin's token: no user either). */
  delete: (channel: string, ts: string) => `delete:${channel}:${ts}`,
}
