import { Routes } from 'discord-api-types/v10'
import { z } from 'zod'
import { ensureMember } from '../../kit/ensure-member.ts'
import type { MembersPort } from '../../platform-ports.ts'
import { callDiscord, discordRest } from '../client.ts'
import type { DiscordOptions } from '../options.ts'

const membersPage = z.array(
  z.object({
    user: z.object({
      id: z.string(),
      username: z.string(),
      global_name: z.string().nullable().optional(),
      bot: z.boolean().optional(),
    }),
  }),
)

/** Discord's largest page of `GET /guilds/{id}/members`. */
const pageSize = 1000

/**
 * Makes every person of the guild a member of the community (`GET /guilds/{id}/members`, paged by
 * `after`, which needs the members intent): bots (PolicyKit's among them) are skipped, people
 * already known kept as they are. Returns how many people the guild has.
 */
export async function importDiscordMembers(
  options: DiscordOptions,
  members: MembersPort,
  communityId: number,
  guildId: string,
  limit = pageSize,
): Promise<number> {
  const rest = discordRest(options)
  let after = '0'
  let count = 0
  // A bound against a cursor that never moves: 1,000 pages is past any guild PolicyKit serves.
  for (let pages = 0; pages < 1000; pages++) {
    const page = membersPage.parse(
      await callDiscord('list the guild members', () =>
        rest.get(Routes.guildMembers(guildId), { query: new URLSearchParams({ limit: String(limit), after }) }),
      ),
    )
    for (const { user } of page) {
      if (user.bot === true) {
        continue
      }
      await ensureMember(members, communityId, {
        externalId: user.id,
        name: user.username,
        displayName: user.global_name ?? undefined,
      })
      count += 1
    }
    const last = page.at(-1)
    if (page.length < limit || last === undefined) {
      return count
    }
    after = last.user.id
  }
  return count
}
