import type { MembersPort } from '../../platform-ports.ts'
import type { DiscordOptions } from '../options.ts'
import { ensureDiscordMember, guildMembers } from '../users.ts'

/**
 * Makes every person of the guild a member of the community: bots (PolicyKit's among them) are
 * skipped, people already known kept as they are. Returns how many people the guild has.
 */
export async function importDiscordMembers(
  options: DiscordOptions,
  members: MembersPort,
  communityId: number,
  guildId: string,
): Promise<number> {
  let count = 0
  for await (const { user } of guildMembers(options, guildId)) {
    if (user.bot === true) {
      continue
    }
    await ensureDiscordMember(members, communityId, user)
    count += 1
  }
  return count
}
