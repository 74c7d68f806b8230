import { AppError } from '../../errors.ts'
import type { Store } from '../../store/store.ts'
import { cloneRoleGraph, loadRoleGraph, mayPropose, type RoleGraph } from './role-graph.ts'

/**
 * The powers a community needs to change its own constitution: with them, someone can always
 * propose a new policy or give a role to someone, so the community can dig itself out of any
 * state. Changing, removing or unassigning roles must not take them from the last member who
 * has them.
 */
const constitutionalPowers = ['constitution.changePolicy', 'constitution.assignRole'] as const

function someoneCanAmend(graph: RoleGraph): boolean {
  return graph.members.some((m) => constitutionalPowers.every((type) => mayPropose(graph, m.id, type)))
}

/**
 * Refuses (`conflict`) a role change after which no member could propose both
 * `constitution.changePolicy` and `constitution.assignRole`, when someone could before. (A
 * community where nobody could to begin with is not made worse by the change, so it is not
 * refused: refusing would block the very changes that could repair it.) `describe` names the
 * change for the message.
 */
export async function guardAgainstLockOut(
  store: Store,
  communityId: number,
  change: (graph: RoleGraph) => void,
  describe: string,
): Promise<void> {
  const before = await loadRoleGraph(store, communityId)
  if (!someoneCanAmend(before)) {
    return
  }
  const after = cloneRoleGraph(before)
  change(after)
  if (!someoneCanAmend(after)) {
    throw new AppError(
      'conflict',
      `${describe} would leave no member able to propose ${constitutionalPowers.join(' and ')}, ` +
        'so nobody could change the constitution again; give those powers to another role or member first',
    )
  }
}
