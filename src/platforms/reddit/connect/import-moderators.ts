import { z } from 'zod'
import { ensureMember } from '../../kit/ensure-member.ts'
import { redditApi } from '../api.ts'
import type { RedditDeps } from '../deps.ts'
import { accountId } from '../listen/poller.ts'

const moderatorList = z.object({ data: z.object({ children: z.array(z.object({ name: z.string() })) }) })

/** The subreddit's moderators become members (people who post and vote become members as they appear). */
export async function importModerators(deps: RedditDeps, communityId: number, integrationId: number): Promise<number> {
  const integration = await deps.ports.integrations.get(communityId, integrationId)
  if (!integration) {
    return 0
  }
  const api = redditApi(deps, integration, await deps.ports.integrations.credentials(integration))
  const parsed = moderatorList.safeParse(await api.get(`/r/${api.subreddit}/about/moderators`))
  const names = parsed.success ? parsed.data.data.children.map((c) => c.name) : []
  for (const name of names) {
    await ensureMember(deps.ports.members, communityId, { externalId: accountId(name), name })
  }
  return names.length
}
