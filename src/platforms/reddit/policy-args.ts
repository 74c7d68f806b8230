import { policyArgs } from '../kit/policy-args.ts'
import { platformPeople } from '../kit/policy-people.ts'

/** Reddit's policy functions' arguments, parsed with errors naming the function (`reddit.<fn>`). */
export const { parseArgs } = policyArgs('reddit')

/** The members policy code names (an id, a username or a member object); none by a Reddit id. */
export const redditPeople = platformPeople({ name: 'reddit', title: 'Reddit', isUserId: () => false })
