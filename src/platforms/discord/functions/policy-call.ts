import { z } from 'zod'
import { rowId } from '../../../domain/int4.ts'
import type { JsonValue } from '../../../domain/json.ts'
import type { Member } from '../../../domain/member.ts'
import { AppError } from '../../../errors.ts'
import type { PolicyCallContext } from '../../platform.ts'
import type { MembersPort } from '../../platform-ports.ts'
import { discordPlatformName } from '../names.ts'

/** What Discord's policy functions share: their arguments, the default channel, people. */

export function parseArgs<T>(name: string, schema: z.ZodType<T>, arg: JsonValue | undefined): T {
  const parsed = schema.safeParse(arg ?? {})
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message))
    throw new AppError('invalid_input', `discord.${name}: ${issues.join('; ')}`)
  }
  return parsed.data
}

/** Discord ids are snowflakes: decimal strings. */
export const snowflakeArg = z.string().regex(/^\d{15,21}$/, 'a Discord id (a snowflake of digits)')

/** `channel` if given, else the channel of the action the proposal governs. */
export function targetChannel(ctx: PolicyCallContext, name: string, channel: string | undefined): string {
  const governed = ctx.action.params['channel']
  const target = channel ?? (typeof governed === 'string' ? governed : undefined)
  if (target === undefined || target === '') {
    throw new AppError('invalid_input', `discord.${name}: no channel given, and the governed action has none`)
  }
  return target
}

/**
 * A person as policy code names one: a member id, a username, a member object (`{ id }` or
 * `{ username }`, as `action.initiator` is), or a Discord user id (a snowflake).
 */
export const policyUser = z.union([
  rowId,
  z.string().min(1),
  z
    .looseObject({ id: rowId.optional(), username: z.string().min(1).optional() })
    .refine((user) => user.id !== undefined || user.username !== undefined, 'a member object has an id or a username'),
])
export type PolicyUser = z.infer<typeof policyUser>

/** A member and their Discord user id (null without a linked Discord account). */
export interface DiscordPerson {
  member: Member
  discordId: string | null
}

async function findMember(members: MembersPort, communityId: number, user: PolicyUser): Promise<Member | undefined> {
  if (typeof user === 'number') {
    return members.get(communityId, user)
  }
  if (typeof user === 'string') {
    const named = await members.getByUsername(communityId, user)
    return named ?? (/^\d{15,21}$/.test(user) ? members.findByAccount(communityId, user) : undefined)
  }
  if (user.id !== undefined) {
    return members.get(communityId, user.id)
  }
  return user.username === undefined ? undefined : members.getByUsername(communityId, user.username)
}

/** The members `users` name, in order and without repeats; a name that is no member is an error. */
export async function resolvePeople(
  members: MembersPort,
  communityId: number,
  users: PolicyUser[],
): Promise<DiscordPerson[]> {
  const people: DiscordPerson[] = []
  for (const user of users) {
    const member = await findMember(members, communityId, user)
    if (!member) {
      throw new AppError('invalid_input', `no member ${JSON.stringify(user)}`)
    }
    if (people.some((p) => p.member.id === member.id)) {
      continue
    }
    const account = (await members.accounts(communityId, member.id)).find((a) => a.platform === discordPlatformName)
    people.push({ member, discordId: account?.externalId ?? null })
  }
  return people
}

/** The Discord ids of `people`; a member without a Discord account cannot be reached there. */
export function discordIdsOf(people: DiscordPerson[], purpose: string): string[] {
  return people.map((person) => {
    if (person.discordId === null) {
      throw new AppError('invalid_input', `${person.member.username} has no Discord account to ${purpose}`)
    }
    return person.discordId
  })
}
