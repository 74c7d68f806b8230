import type { MembersPort } from '../../platform-ports.ts'
import {
  externalIdsOf,
  resolvePeople as resolvePlatformPeople,
  type PeoplePlatform,
  type PlatformPerson,
  type PolicyUser,
} from '../../kit/policy-people.ts'
import { slackPlatformName } from '../members.ts'

export { policyUser, type PolicyUser } from '../../kit/policy-people.ts'

/** Slack's people: user ids are `U…` or `W…`. */
const slackPeople: PeoplePlatform = {
  name: slackPlatformName,
  title: 'Slack',
  isUserId: (text) => /^[UW][A-Z0-9]{2,}$/.test(text),
}

/** The members `users` name, in order and without repeats, with their Slack user ids. */
export function resolvePeople(
  members: MembersPort,
  communityId: number,
  users: PolicyUser[],
): Promise<PlatformPerson[]> {
  return resolvePlatformPeople(members, communityId, users, slackPeople)
}

/** The Slack ids of `people`; a member without a Slack account cannot be reached there. */
export function slackIdsOf(people: PlatformPerson[], purpose: string): string[] {
  return externalIdsOf(people, slackPeople, purpose)
}
