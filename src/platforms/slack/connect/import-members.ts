import type { WebClient } from '@slack/web-api'
import { z } from 'zod'
import type { MembersPort } from '../../platform-ports.ts'
import { callSlack } from '../client.ts'
import { ensureSlackMember, isWorkspacePerson } from '../members.ts'

const usersPage = z.object({
  members: z
    .array(
      z.object({
        id: z.string(),
        name: z.string(),
        real_name: z.string().optional(),
        deleted: z.boolean().optional(),
        is_bot: z.boolean().optional(),
        is_app_user: z.boolean().optional(),
        profile: z.object({ display_name: z.string().optional(), bot_id: z.string().optional() }).optional(),
      }),
    )
    .default([]),
})

/**
 * Makes every person of the workspace a member of the community (`users.list`, page by page):
 * bots, apps, Slackbot and deactivated accounts are skipped; people already known are kept as
 * they are. Returns how many people the workspace has.
 */
export async function importSlackMembers(members: MembersPort, communityId: number, bot: WebClient): Promise<number> {
  let count = 0
  const pages = bot.paginate('users.list', { limit: 200 })[Symbol.asyncIterator]()
  for (;;) {
    const page = await callSlack('users.list', () => pages.next())
    if (page.done === true) {
      break
    }
    for (const user of usersPage.parse(page.value).members) {
      if (!isWorkspacePerson(user)) {
        continue
      }
      const displayName = user.real_name || user.profile?.display_name || user.name
      await ensureSlackMember(members, communityId, { id: user.id, name: user.name, displayName })
      count += 1
    }
  }
  return count
}
