import type { Member } from '../../domain/member.ts'
import { AppError } from '../../errors.ts'
import type { Store } from '../../store/store.ts'
import { guardAgainstLockOut } from './lock-out-guard.ts'
import type { RoleGraph } from './role-graph.ts'

/** The member as one of the community now (not one who left): `not_found` otherwise. */
export async function currentMember(store: Store, communityId: number, memberId: number): Promise<Member> {
  // `list` leaves out members who left; the lock-out guard reads the whole role graph itself.
  const member = (await store.members.list(communityId)).find((m) => m.id === memberId)
  if (!member) {
    throw new AppError('not_found', `member ${memberId} not found in this community`)
  }
  return member
}

function withoutMember(member: Member) {
  return (graph: RoleGraph) => {
    graph.members = graph.members.filter((m) => m.id !== member.id)
    graph.assigned.delete(member.id)
  }
}

/** Refuses (`conflict`) when the member is the last who could amend the constitution. */
export async function guardMemberRemoval(
  store: Store,
  communityId: number,
  member: Member,
  describe: string,
): Promise<void> {
  await guardAgainstLockOut(store, communityId, withoutMember(member), describe)
}

/**
 * Takes the member out of the community (see `MemberRepo.remove`: roles, accounts, API tokens
 * there go; the votes they cast stay), holding the community so that two members who each
 * could amend the constitution cannot both leave at once and leave nobody who can.
 */
export async function removeMember(
  store: Store,
  communityId: number,
  memberId: number,
  { now, describe }: { now: number; describe: (member: Member) => string },
): Promise<Member> {
  return store.transaction(async (trx) => {
    await trx.communities.lock(communityId)
    const member = await currentMember(trx, communityId, memberId)
    await guardMemberRemoval(trx, communityId, member, describe(member))
    await trx.members.remove(communityId, member.id, now)
    return member
  })
}
