import { z } from 'zod'
import { rowId } from '../../../domain/int4.ts'
import { defineAction, type ActionDef } from '../../platform.ts'
import type { ConstitutionDeps } from '../constitution-deps.ts'
import { currentMember, guardMemberRemoval, removeMember as takeOut } from '../remove-member.ts'

const describeRemoval = (member: { username: string }) => `removing ${member.username} from the community`

/**
 * Membership: an admin proposes removing a member, and the community's policies decide, as for
 * every constitution action. Refused, when proposed and again when executed, if the member is
 * the last who could amend the constitution (the lock-out guard).
 */
export function memberActions({ store }: ConstitutionDeps): Record<string, ActionDef> {
  const removeMember = defineAction({
    description:
      'Remove a member from the community: their roles, sign-in there and API tokens go; the votes they cast stay',
    params: z.strictObject({ memberId: rowId }),
    async validate(ctx, { memberId }) {
      const member = await currentMember(store, ctx.communityId, memberId)
      await guardMemberRemoval(store, ctx.communityId, member, describeRemoval(member))
    },
    async execute(ctx, { memberId }) {
      await takeOut(store, ctx.communityId, memberId, { now: ctx.now(), describe: describeRemoval })
      return { memberId }
    },
  })
  return { removeMember }
}
