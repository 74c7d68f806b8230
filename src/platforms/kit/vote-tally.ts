import type { Proposal } from '../../domain/proposal.ts'
import type { Vote, VoteValue } from '../../domain/vote.ts'
import { isAppError } from '../../errors.ts'
import type { VotesPort } from '../platform-ports.ts'

/** How many votes each choice has, in the vote's order (yes, no; or the options). */
export interface VoteTally {
  choices: Array<{ label: string; count: number }>
  total: number
}

/** The tally of `votes` for a yes/no vote (`options` null) or a choice among `options`. */
export function tallyVotes(votes: readonly VoteValue[], options: readonly string[] | null): VoteTally {
  const count = (matches: (vote: VoteValue) => boolean) => votes.filter(matches).length
  const choices =
    options === null
      ? [
          { label: 'Yes', count: count((v) => v.kind === 'boolean' && v.value) },
          { label: 'No', count: count((v) => v.kind === 'boolean' && !v.value) },
        ]
      : options.map((option) => ({ label: option, count: count((v) => v.kind === 'choice' && v.value === option) }))
  return { choices, total: choices.reduce((sum, c) => sum + c.count, 0) }
}

/** The proposal's tally as it stands. */
export async function proposalTally(votes: VotesPort, communityId: number, proposal: Proposal): Promise<VoteTally> {
  const cast: Vote[] = await votes.list(communityId, proposal.id)
  return tallyVotes(cast, proposal.voteOptions)
}

/**
 * What became of a vote cast on a platform (a click, a reaction): `not_a_member` for someone the
 * platform does not take for a person of the community (a bot, an outsider).
 */
export type CastOutcome = 'cast' | 'ineligible' | 'closed' | 'not_a_member'

/** What PolicyKit tells a voter privately when their vote did not count. */
export const voteRefusal: Record<Exclude<CastOutcome, 'cast'>, string> = {
  ineligible: 'You are not eligible to vote on this.',
  not_a_member: 'You are not eligible to vote on this.',
  closed: 'This vote has closed; your vote was not counted.',
}

/**
 * Casts a member's vote through the engine and maps its refusals to outcomes; then, unless the
 * vote decided the proposal (closing the vote is the host's `close`, called by the engine once),
 * `refresh` shows the new tally.
 */
export async function castHostedVote(
  votes: VotesPort,
  input: { communityId: number; proposalId: number; memberId: number; vote: VoteValue },
  refresh: (proposal: Proposal) => Promise<void>,
): Promise<CastOutcome> {
  const { communityId, proposalId, memberId, vote } = input
  try {
    await votes.cast(communityId, proposalId, memberId, vote)
  } catch (e) {
    if (isAppError(e, 'forbidden')) {
      return 'ineligible'
    }
    if (isAppError(e, 'conflict')) {
      return 'closed'
    }
    throw e
  }
  await refreshIfOpen(votes, communityId, proposalId, refresh)
  return 'cast'
}

/** Takes back a member's vote (only when it is still `vote`) through the engine, then shows the tally. */
export async function withdrawHostedVote(
  votes: VotesPort,
  input: { communityId: number; proposalId: number; memberId: number; vote: VoteValue },
  refresh: (proposal: Proposal) => Promise<void>,
): Promise<boolean> {
  const { communityId, proposalId, memberId, vote } = input
  if (!(await votes.withdraw(communityId, proposalId, memberId, vote))) {
    return false
  }
  await refreshIfOpen(votes, communityId, proposalId, refresh)
  return true
}

async function refreshIfOpen(
  votes: VotesPort,
  communityId: number,
  proposalId: number,
  refresh: (proposal: Proposal) => Promise<void>,
): Promise<void> {
  const proposal = await votes.proposal(communityId, proposalId)
  if (proposal?.status === 'proposed') {
    await refresh(proposal)
  }
}
