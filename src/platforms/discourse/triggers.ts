import { z } from 'zod'
import type { TriggerDef } from '../platform.ts'

/** The webhook events trigger policies see as `discourse.<event>`, with the event's payload. */
export const discourseTriggerEvents = [
  'topic_created',
  'topic_edited',
  'topic_destroyed',
  'topic_recovered',
  'post_created',
  'post_edited',
  'post_destroyed',
  'post_recovered',
  'user_created',
  'user_updated',
] as const

export const discourseTriggers: Record<string, TriggerDef> = Object.fromEntries(
  discourseTriggerEvents.map((event) => [
    event,
    { description: `Discourse's ${event} webhook event (its payload as data)`, data: z.record(z.string(), z.json()) },
  ]),
)
