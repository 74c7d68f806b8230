import { z } from 'zod'
import type { TriggerDef } from '../../platform.ts'

/** An event's fields as Slack sent them (`type`, `user`, `channel`, `text`, `ts`, …). */
const eventData = z.record(z.string(), z.json())

function trigger(description: string): TriggerDef {
  return { description, data: eventData }
}

/**
 * The Events API events the app subscribes to (`event-subscriptions.ts`), each offered to trigger
 * policies as `slack.<event type>` with the event's fields as `action` data; all but
 * `app_uninstalled` and `tokens_revoked`, which are about the connection itself. Events
 * PolicyKit caused itself do not trigger: its bot's messages and edits, and the events of its own
 * renames (both `channel_rename`/`group_rename` and the `channel_name` message), invites, kicks,
 * pins, unpins and message deletions (recognised by the echoes recorded before each call,
 * `echoes.ts`).
 */
export const slackTriggers: Record<string, TriggerDef> = {
  message: trigger('A message event in a channel the app is in (new messages, and subtypes such as edits)'),
  channel_rename: trigger('A public channel was renamed'),
  group_rename: trigger('A private channel was renamed'),
  member_joined_channel: trigger('Someone joined a channel, or was added to it'),
  member_left_channel: trigger('Someone left a channel, or was removed from it'),
  pin_added: trigger('A message was pinned'),
  pin_removed: trigger('A message was unpinned'),
  reaction_added: trigger('Someone reacted to a message'),
  reaction_removed: trigger('Someone removed a reaction'),
}
