import type { Member } from '../../domain/member.ts'
import { isAppError } from '../../errors.ts'
import type { MembersPort, PlatformUser } from '../platform-ports.ts'

/** A member handle that is free in the community: the platform handle, else handle-<their id>. */
export async function freeUsername(members: MembersPort, communityId: number, user: PlatformUser): Promise<string> {
  const taken = await members.getByUsername(communityId, user.name)
  return taken ? `${user.name}-${user.externalId.toLowerCase()}` : user.name
}

/**
 * The member for a platform user, created with a linked account the first time the user is seen
 * (an install imports everyone; events may bring people who joined since). Safe when two events
 * for a new user race: the loser finds the winner's member.
 */
export async function ensureMember(members: MembersPort, communityId: number, user: PlatformUser): Promise<Member> {
  const existing = await members.findByAccount(communityId, user.externalId)
  if (existing) {
    return existing
  }
  try {
    return await members.createWithAccount(communityId, {
      username: await freeUsername(members, communityId, user),
      displayName: user.displayName || user.name,
      account: { externalId: user.externalId, username: user.name },
    })
  } catch (e) {
    const raced = isAppError(e, 'conflict') ? await members.findByAccount(communityId, user.externalId) : undefined
    if (raced) {
      return raced
    }
    throw e
  }
}
