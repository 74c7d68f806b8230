import { z } from 'zod'
import type { MembersPort } from '../platform-ports.ts'
import { callDiscourse } from './client.ts'
import type { DiscourseCredentials } from './credentials.ts'
import { memberOfForumUser } from './forum-members.ts'

const activeUsers = z.array(
  z.object({
    id: z.number().int(),
    username: z.string(),
    name: z.string().nullable(),
    admin: z.boolean(),
    moderator: z.boolean(),
  }),
)

/** Discourse's admin user list holds 100 a page; a shorter page is the last. */
const pageSize = 100

/**
 * Makes every active forum user a member of the community (`/admin/users/list/active.json`, page
 * by page). Discourse's own accounts (negative ids: `system`, `discobot`) and the user PolicyKit
 * acts as are skipped; people already known are kept as they are. Returns the forum's admins and
 * moderators by username, and how many people were imported.
 */
export async function importForumMembers(
  fetchFn: typeof fetch,
  members: MembersPort,
  communityId: number,
  forum: DiscourseCredentials,
): Promise<{ count: number; staff: string[] }> {
  let count = 0
  const staff: string[] = []
  for (let page = 1; ; page++) {
    const parsed = activeUsers.safeParse(
      await callDiscourse(fetchFn, forum, 'GET', `/admin/users/list/active.json?page=${page}`),
    )
    if (!parsed.success) {
      break
    }
    for (const user of parsed.data) {
      if (user.username === forum.apiUsername || !(await memberOfForumUser(members, communityId, user))) {
        continue
      }
      count += 1
      if (user.admin || user.moderator) {
        staff.push(user.username)
      }
    }
    if (parsed.data.length < pageSize) {
      break
    }
  }
  return { count, staff }
}
