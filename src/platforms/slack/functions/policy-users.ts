import { z } from 'zod'
import { rowId } from '../../../domain/int4.ts'
import type { Member } from '../../../domain/member.ts'
import { AppError } from '../../../errors.ts'
import type { MembersPort } from '../../platform-ports.ts'
import { slackPlatformName } from '../members.ts'

/**
 * A person as policy code names one: a member id, a username, a member object as `action.initiator`
 * and the vote functions give them (`{ id }` or `{ username }`), or a Slack user id (`U…`).
 */
export const policyUser = z.union([
  rowId,
  z.string().min(1),
  z
    .looseObject({ id: rowId.optional(), username: z.string().min(1).optional() })
    .refine((user) => user.id !== undefined || user.username !== undefined, 'a member object has an id or a username'),
])
export type PolicyUser = z.infer<typeof policyUser>

/** A member and their Slack user id (null when they have no linked Slack account). */
export interface SlackPerson {
  member: Member
  slackId: string | null
}

const slackUserId = /^[UW][A-Z0-9]{2,}$/

async function findMember(members: MembersPort, communityId: number, user: PolicyUser): Promise<Member | undefined> {
  if (typeof user === 'number') {
    return members.get(communityId, user)
  }
  if (typeof user === 'string') {
    const named = await members.getByUsername(communityId, user)
    if (named || !slackUserId.test(user)) {
      return named
    }
    return members.findByAccount(communityId, user)
  }
  if (user.id !== undefined) {
    return members.get(communityId, user.id)
  }
  return user.username === undefined ? undefined : members.getByUsername(communityId, user.username)
}

function describe(user: PolicyUser): string {
  if (typeof user === 'number') {
    return `with id ${user}`
  }
  if (typeof user === 'string') {
    return `named ${user}`
  }
  return user.id !== undefined ? `with id ${user.id}` : `named ${String(user.username)}`
}

/** The members `users` name, in order and without repeats; a name that is no member is an error. */
export async function resolvePeople(
  members: MembersPort,
  communityId: number,
  users: PolicyUser[],
): Promise<SlackPerson[]> {
  const people: SlackPerson[] = []
  for (const user of users) {
    const member = await findMember(members, communityId, user)
    if (!member) {
      throw new AppError('invalid_input', `no member ${describe(user)}`)
    }
    if (people.some((p) => p.member.id === member.id)) {
      continue
    }
    const account = (await members.accounts(communityId, member.id)).find((a) => a.platform === slackPlatformName)
    people.push({ member, slackId: account?.externalId ?? null })
  }
  return people
}

/** The Slack ids of `people`; a member without a Slack account cannot be reached there. */
export function slackIdsOf(people: SlackPerson[], purpose: string): string[] {
  return people.map((person) => {
    if (person.slackId === null) {
      throw new AppError('invalid_input', `${person.member.username} has no Slack account to ${purpose}`)
    }
    return person.slackId
  })
}
