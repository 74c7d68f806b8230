import { z } from 'zod'

/**
 * What PolicyKit reads of Slack's Events API and interactivity payloads (shapes in
 * ../shared/specs/slack/samples). Fields it does not use pass through untouched, so trigger
 * policies see the whole event.
 */

/** Any event: its type and every other field as JSON. */
export const slackEventData = z.object({ type: z.string() }).catchall(z.json())
export type SlackEventData = z.infer<typeof slackEventData>

export const slackEnvelope = z.discriminatedUnion('type', [
  z.object({ type: z.literal('url_verification'), challenge: z.string() }),
  z.object({
    type: z.literal('event_callback'),
    team_id: z.string().min(1),
    event_id: z.string().min(1),
    event: slackEventData,
  }),
  z.object({ type: z.literal('app_rate_limited'), team_id: z.string(), minute_rate_limited: z.number() }),
])
export type SlackEnvelope = z.infer<typeof slackEnvelope>

/** `message` events: plain new messages have no subtype; `channel_name` carries the renamer. */
export const messageEvent = z.object({
  subtype: z.string().optional(),
  user: z.string().optional(),
  bot_id: z.string().optional(),
  app_id: z.string().optional(),
  text: z.string().optional(),
  channel: z.string(),
  channel_type: z.string().optional(),
  ts: z.string(),
  thread_ts: z.string().optional(),
  name: z.string().optional(),
  old_name: z.string().optional(),
  /** `file_share`: the files shared with the message. */
  files: z.array(z.object({ permalink: z.string().optional() })).optional(),
  /** `message_deleted`: the deleted message's ts. */
  deleted_ts: z.string().optional(),
  /** `message_changed`: the message as it is now. */
  message: z.object({ user: z.string().optional() }).optional(),
})

export const memberJoinedEvent = z.object({
  user: z.string(),
  channel: z.string(),
  inviter: z.string().optional(),
})

/** `pin_added` and `pin_removed`. */
export const pinEvent = z.object({
  user: z.string(),
  channel_id: z.string(),
  item: z.object({ message: z.object({ ts: z.string() }) }),
})

export const memberLeftEvent = z.object({ user: z.string(), channel: z.string() })

/** `channel_rename` and `group_rename`: the channel as it is named now. */
export const channelRenameEvent = z.object({ channel: z.object({ id: z.string(), name: z.string() }) })

export const reactionEvent = z.object({
  user: z.string(),
  reaction: z.string(),
  item: z.object({ type: z.string(), channel: z.string().optional(), ts: z.string().optional() }),
})

/** A Block Kit interaction (`payload=` of a form post); PolicyKit acts on `block_actions` only. */
export const interactionPayload = z.object({
  type: z.string(),
  /** Unique to one interaction: a replayed request carries the same. */
  trigger_id: z.string().min(1).optional(),
  team: z.object({ id: z.string() }).nullable().optional(),
  user: z.object({ id: z.string(), team_id: z.string().optional() }),
  container: z.object({ channel_id: z.string().optional(), message_ts: z.string().optional() }).optional(),
  channel: z.object({ id: z.string() }).optional(),
  message: z.object({ ts: z.string() }).optional(),
  actions: z
    .array(z.object({ action_id: z.string(), value: z.string().optional(), action_ts: z.string().optional() }))
    .optional(),
})
export type InteractionPayload = z.infer<typeof interactionPayload>
