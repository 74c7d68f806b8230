import { Routes } from 'discord-api-types/v10'
import { z } from 'zod'
import type { Member } from '../../domain/member.ts'
import { ensureMember } from '../kit/ensure-member.ts'
import type { MembersPort } from '../platform-ports.ts'
import { callDiscord, discordRest } from './client.ts'
import type { DiscordOptions } from './options.ts'

/** A Discord user as `/users/@me`, member objects and events show them. */
export const discordUser = z.object({
  id: z.string(),
  username: z.string(),
  global_name: z.string().nullable().optional(),
  bot: z.boolean().optional(),
})
export type DiscordUser = z.infer<typeof discordUser>

/** A guild member: the user and their role ids. */
export const guildMember = z.object({ user: discordUser, roles: z.array(z.string()) })
const guildMemberPage = z.array(guildMember)
type GuildMember = z.infer<typeof guildMember>

/** The member a Discord user is, made on first sight (shown by their global name, if they have one). */
export function ensureDiscordMember(members: MembersPort, communityId: number, user: DiscordUser): Promise<Member> {
  return ensureMember(members, communityId, {
    externalId: user.id,
    name: user.username,
    displayName: user.global_name ?? undefined,
  })
}

/** Discord's largest page of `GET /guilds/{id}/members`. */
const pageSize = 1000

/** Every member of the guild (`GET /guilds/{id}/members`, paged by `after`, which needs the members intent). */
export async function* guildMembers(
  options: Pick<DiscordOptions, 'apiUrl' | 'botToken'>,
  guildId: string,
): AsyncGenerator<GuildMember> {
  const rest = discordRest(options)
  let after = '0'
  // A bound against a cursor that never moves: 1,000 pages is past any guild PolicyKit serves.
  for (let pages = 0; pages < 1000; pages++) {
    const page = guildMemberPage.parse(
      await callDiscord('list the guild members', () =>
        rest.get(Routes.guildMembers(guildId), { query: new URLSearchParams({ limit: String(pageSize), after }) }),
      ),
    )
    yield* page
    const last = page.at(-1)
    if (page.length < pageSize || last === undefined) {
      return
    }
    after = last.user.id
  }
}
