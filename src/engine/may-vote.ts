import { hasPermission, type Permission } from '../domain/member.ts'
import type { Proposal } from '../domain/proposal.ts'

/**
 * The one rule for who may vote on a proposal, whatever hosts the vote (dashboard, Slack, …):
 * the members it was opened for, or, when it was opened for everyone, members holding `vote`
 * or `vote:<name of the policy version the proposal runs under>`.
 */
export function mayVote(
  proposal: Pick<Proposal, 'eligibleVoters'>,
  memberId: number,
  permissions: Iterable<Permission>,
  policyName: string,
): boolean {
  if (proposal.eligibleVoters !== null) {
    return proposal.eligibleVoters.includes(memberId)
  }
  const granted = [...permissions]
  return hasPermission(granted, 'vote') || hasPermission(granted, `vote:${policyName}`)
}
