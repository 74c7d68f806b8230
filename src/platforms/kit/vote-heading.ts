import type { Proposal } from '../../domain/proposal.ts'

/**
 * The line a vote message opens with when the policy gives no text of its own: the proposal as
 * its community numbers it ("Vote on proposal #3: Add policy ‘Greeters’"), the same number the
 * dashboard shows.
 */
export function voteHeading(proposal: Pick<Proposal, 'number'>, about?: string): string {
  const heading = `Vote on proposal #${proposal.number}`
  return about === undefined ? heading : `${heading}: ${about}`
}
