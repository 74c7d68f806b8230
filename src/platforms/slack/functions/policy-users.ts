import { platformPeople } from '../../kit/policy-people.ts'
import { slackPlatformName } from '../members.ts'

export { policyUser, type PolicyUser } from '../../kit/policy-people.ts'

/** Slack's people: user ids are `U…` or `W…`. */
export const {
  resolvePeople,
  idsOf: slackIdsOf,
  idOf: slackIdOf,
} = platformPeople({
  name: slackPlatformName,
  title: 'Slack',
  isUserId: (text) => /^[UW][A-Z0-9]{2,}$/.test(text),
})
