import type { Member } from '../../domain/member.ts'
import { ensureMember } from '../kit/ensure-member.ts'
import type { MembersPort } from '../platform-ports.ts'

/**
 * The member behind a forum user: the one with their account, made on first sight; null for
 * Discourse's own accounts (negative ids: `system`, `discobot`).
 */
export async function memberOfForumUser(
  members: MembersPort,
  communityId: number,
  user: { id: number; username: string; name?: string | null | undefined },
): Promise<Member | null> {
  if (user.id <= 0) {
    return null
  }
  return ensureMember(members, communityId, {
    externalId: String(user.id),
    name: user.username,
    displayName: user.name ?? undefined,
  })
}
