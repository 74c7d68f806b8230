import type { WebClient } from '@slack/web-api'
import type { z } from 'zod'
import type { JsonValue } from '../../../domain/json.ts'
import { AppError } from '../../../errors.ts'
import type { PolicyCallContext } from '../../platform.ts'
import { callSlack } from '../client.ts'

/** What Slack's policy functions share: their arguments, the default channel, direct messages. */

export function parseArgs<T>(name: string, schema: z.ZodType<T>, arg: JsonValue | undefined): T {
  const parsed = schema.safeParse(arg ?? {})
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message))
    throw new AppError('invalid_input', `slack.${name}: ${issues.join('; ')}`)
  }
  return parsed.data
}

/** `channel` if given, else the channel of the action the proposal governs. */
export function targetChannel(ctx: PolicyCallContext, name: string, channel: string | undefined): string {
  const governed = ctx.action.params['channel']
  const target = channel ?? (typeof governed === 'string' ? governed : undefined)
  if (target === undefined || target === '') {
    throw new AppError('invalid_input', `slack.${name}: no channel given, and the governed action has none`)
  }
  return target
}

/** The direct message (one user) or group DM (several, at most 8) between the bot and `slackIds`. */
export async function openConversation(bot: WebClient, slackIds: string[]): Promise<string> {
  if (slackIds.length === 0) {
    throw new AppError('invalid_input', 'a direct message needs at least one user')
  }
  const opened = await callSlack('conversations.open', () => bot.conversations.open({ users: slackIds.join(',') }))
  const id = opened.channel?.id
  if (id === undefined) {
    throw new AppError('platform_rejected', 'conversations.open: Slack gave no conversation id')
  }
  return id
}

/** Follows `next_cursor` through a list method, page by page. */
export async function allPages<T>(
  what: string,
  page: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | undefined }>,
): Promise<T[]> {
  const items: T[] = []
  let cursor: string | undefined
  // A bound against a cursor that never ends; 100 pages of 1000 is past any workspace PolicyKit serves.
  for (let pages = 0; pages < 100; pages++) {
    const result = await callSlack(what, () => page(cursor))
    items.push(...result.items)
    cursor = result.nextCursor || undefined
    if (cursor === undefined) {
      return items
    }
  }
  throw new AppError('platform_rejected', `${what}: more than 100 pages`)
}
