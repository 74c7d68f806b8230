import { z } from 'zod'
import { policyArgs } from '../../kit/policy-args.ts'
import { platformPeople } from '../../kit/policy-people.ts'
import { discordPlatformName } from '../names.ts'

export { policyUser, type PolicyUser } from '../../kit/policy-people.ts'

/** What Discord's policy functions share: their arguments, the default channel, people. */

export const { parseArgs, targetChannel } = policyArgs(discordPlatformName)

/** Discord ids are snowflakes: decimal strings. */
export const snowflakeArg = z.string().regex(/^\d{15,21}$/, 'a Discord id (a snowflake of digits)')

/** Discord's people: user ids are snowflakes. */
export const {
  resolvePeople,
  idsOf: discordIdsOf,
  idOf: discordIdOf,
} = platformPeople({
  name: discordPlatformName,
  title: 'Discord',
  isUserId: (text) => /^\d{15,21}$/.test(text),
})
