import { z } from 'zod'
import { rowId } from '../../domain/int4.ts'
import type { Member } from '../../domain/member.ts'
import { AppError } from '../../errors.ts'
import type { MembersPort } from '../platform-ports.ts'

/**
 * A person as policy code names one: a member id, a username, a member object as `action.initiator`
 * and the vote functions give them (`{ id }` or `{ username }`), or the platform's own user id.
 */
export const policyUser = z.union([
  rowId,
  z.string().min(1),
  z
    .looseObject({ id: rowId.optional(), username: z.string().min(1).optional() })
    .refine((user) => user.id !== undefined || user.username !== undefined, 'a member object has an id or a username'),
])
export type PolicyUser = z.infer<typeof policyUser>

/** Whose people: the platform's name (its accounts), its title for messages, and how its user ids look. */
export interface PeoplePlatform {
  name: string
  title: string
  isUserId(text: string): boolean
}

/** A member and their user id on the platform (null when they have no linked account there). */
export interface PlatformPerson {
  member: Member
  externalId: string | null
}

async function findMember(
  members: MembersPort,
  communityId: number,
  user: PolicyUser,
  platform: PeoplePlatform,
): Promise<Member | undefined> {
  if (typeof user === 'number') {
    return members.get(communityId, user)
  }
  if (typeof user === 'string') {
    const named = await members.getByUsername(communityId, user)
    if (named || !platform.isUserId(user)) {
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
async function resolvePeople(
  members: MembersPort,
  communityId: number,
  users: PolicyUser[],
  platform: PeoplePlatform,
): Promise<PlatformPerson[]> {
  const people: PlatformPerson[] = []
  for (const user of users) {
    const member = await findMember(members, communityId, user, platform)
    if (!member) {
      throw new AppError('invalid_input', `no member ${describe(user)}`)
    }
    if (people.some((p) => p.member.id === member.id)) {
      continue
    }
    const account = (await members.accounts(communityId, member.id)).find((a) => a.platform === platform.name)
    people.push({ member, externalId: account?.externalId ?? null })
  }
  return people
}

/** The platform user ids of `people`; a member without an account there cannot be reached there. */
function externalIdsOf(people: PlatformPerson[], platform: PeoplePlatform, purpose: string): string[] {
  return people.map((person) => {
    if (person.externalId === null) {
      throw new AppError('invalid_input', `${person.member.username} has no ${platform.title} account to ${purpose}`)
    }
    return person.externalId
  })
}

/** The people functions of one platform, bound to it. */
export function platformPeople(platform: PeoplePlatform) {
  /** The members `users` name, in order and without repeats, with their user ids on the platform. */
  function resolve(members: MembersPort, communityId: number, users: PolicyUser[]): Promise<PlatformPerson[]> {
    return resolvePeople(members, communityId, users, platform)
  }

  /** The platform user ids of `people`; a member without an account there cannot be reached there. */
  function idsOf(people: PlatformPerson[], purpose: string): string[] {
    return externalIdsOf(people, platform, purpose)
  }

  /** The platform user id of the one member `user` names. */
  async function idOf(members: MembersPort, communityId: number, user: PolicyUser, purpose: string): Promise<string> {
    const [id] = idsOf(await resolve(members, communityId, [user]), purpose)
    if (id === undefined) {
      throw new Error('resolvePeople returned nobody for one user')
    }
    return id
  }

  return { resolvePeople: resolve, idsOf, idOf }
}
