import type { Generated, Kysely } from 'kysely'
import type { Store } from '../../store/store.ts'

/**
 * PolicyKit's own Slack calls come back as events (a rename PolicyKit made arrives as a
 * `channel_name` message by the installing admin). Before such a call the caller records the
 * echo it expects; the listener consumes that record when the event arrives and so knows the
 * event is PolicyKit's, not a member's. Identity, not a time window: a member who does the
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

interface SlackEchoesTable {
  id: Generated<number>
  community_id: number
  key: string
  created_at: number
}

function echoes(store: Store): Kysely<{ slack_echoes: SlackEchoesTable }> {
  return store.db.withTables<{ slack_echoes: SlackEchoesTable }>()
}

/**
 * A record whose event never came (Slack dropped it, or the app is not subscribed to it) is
 * dropped after a day, so it cannot hide a member doing the same thing much later.
 */
const keepMs = 24 * 60 * 60_000

/** Call right before the Slack call whose event should be recognised as PolicyKit's own. */
export async function recordEcho(store: Store, communityId: number, key: string, now: number): Promise<void> {
  const db = echoes(store)
  await db
    .deleteFrom('slack_echoes')
    .where('community_id', '=', communityId)
    .where('created_at', '<', now - keepMs)
    .execute()
  await db.insertInto('slack_echoes').values({ community_id: communityId, key, created_at: now }).execute()
}

/** Call when that Slack call failed, so no event is expected: a record left over would hide a member's action. */
export async function forgetEcho(store: Store, communityId: number, key: string): Promise<void> {
  await takeEcho(store, communityId, key)
}

/** True when PolicyKit expected this event (the record is used up: one record, one event). */
export async function takeEcho(store: Store, communityId: number, key: string): Promise<boolean> {
  const db = echoes(store)
  const oldest = db
    .selectFrom('slack_echoes')
    .select('id')
    .where('community_id', '=', communityId)
    .where('key', '=', key)
    .orderBy('id')
    .limit(1)
  // Two deliveries racing for one record: only the one whose delete removed it gets true.
  const result = await db
    .deleteFrom('slack_echoes')
    .where('community_id', '=', communityId)
    .where('id', '=', oldest)
    .executeTakeFirst()
  return result.numDeletedRows > 0n
}
