import type { WebClient } from '@slack/web-api'
import { AppError } from '../../../errors.ts'
import { policyArgs } from '../../kit/policy-args.ts'
import { callSlack } from '../client.ts'
import { slackPlatformName } from '../members.ts'

/** What Slack's policy functions share: their arguments, the default channel, direct messages. */

export const { parseArgs, targetChannel } = policyArgs(slackPlatformName)

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
