import { z } from 'zod'
import type { JsonValue } from '../../../domain/json.ts'
import { AppError } from '../../../errors.ts'
import type { PolicyCallContext } from '../../platform.ts'
import type { MembersPort } from '../../platform-ports.ts'
import {
  externalIdsOf,
  resolvePeople as resolvePlatformPeople,
  type PeoplePlatform,
  type PlatformPerson,
  type PolicyUser,
} from '../../kit/policy-people.ts'
import { discordPlatformName } from '../names.ts'

export { policyUser, type PolicyUser } from '../../kit/policy-people.ts'

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

/** Discord's people: user ids are snowflakes. */
const discordPeople: PeoplePlatform = {
  name: discordPlatformName,
  title: 'Discord',
  isUserId: (text) => /^\d{15,21}$/.test(text),
}

/** The members `users` name, in order and without repeats, with their Discord user ids. */
export function resolvePeople(
  members: MembersPort,
  communityId: number,
  users: PolicyUser[],
): Promise<PlatformPerson[]> {
  return resolvePlatformPeople(members, communityId, users, discordPeople)
}

/** The Discord ids of `people`; a member without a Discord account cannot be reached there. */
export function discordIdsOf(people: PlatformPerson[], purpose: string): string[] {
  return externalIdsOf(people, discordPeople, purpose)
}
