import type { Proposal } from '../../../domain/proposal.ts'
import type { VoteValue } from '../../../domain/vote.ts'
import { toError } from '../../../errors.ts'
import { castHostedVote, withdrawHostedVote, type CastOutcome } from '../../kit/vote-tally.ts'
import { memberOfSlackUser, type SlackListener } from './listener.ts'
import { slackPlatformName } from '../members.ts'
import { refreshVoteMessage, votePostId, voteTally } from '../voting/vote-message.ts'

/** The proposal whose vote PolicyKit posted as this message, if it is one. */
export function proposalOfVoteMessage(
  listener: SlackListener,
  channel: string,
  ts: string,
): Promise<Proposal | undefined> {
  return listener.ports.votes.proposalOfPost(listener.communityId, votePostId(channel, ts))
}

/**
 * Casts (or moves) the Slack user's vote (a click or a reaction) through the engine, which
 * re-checks the proposal at once. A vote that leaves it open updates the tally on the message;
 * one that decides it leaves the message to the engine's `voting.close`, so it is rewritten once.
 */
export async function castSlackVote(
  listener: SlackListener,
  proposal: Proposal,
  slackUserId: string,
  vote: VoteValue,
): Promise<CastOutcome> {
  const member = await memberOfSlackUser(listener, slackUserId)
  if (!member) {
    return 'not_a_member'
  }
  const { communityId } = listener
  return castHostedVote(
    listener.ports.votes,
    { communityId, proposalId: proposal.id, memberId: member.id, vote },
    (current) => refreshTally(listener, current),
  )
}

/**
 * A removed reaction takes back the vote it cast, and only that one: someone who reacted 👍 and
 * then clicked "no" keeps their "no" when they remove the 👍. Through the engine, which
 * re-checks the proposal at once.
 */
export async function withdrawSlackVote(
  listener: SlackListener,
  proposal: Proposal,
  slackUserId: string,
  vote: VoteValue,
): Promise<boolean> {
  const { ports, communityId } = listener
  const member = await ports.members.findByAccount(communityId, slackUserId)
  if (!member) {
    return false
  }
  return withdrawHostedVote(
    ports.votes,
    { communityId, proposalId: proposal.id, memberId: member.id, vote },
    (current) => refreshTally(listener, current),
  )
}

/** Rewrites the vote message with the current count; a failure there loses no vote, so it is logged. */
async function refreshTally(listener: SlackListener, proposal: Proposal): Promise<void> {
  const { ports, communityId } = listener
  try {
    await refreshVoteMessage(listener.bot, proposal, await voteTally(ports.votes, communityId, proposal))
  } catch (e) {
    listener.logger.warn(
      { platform: slackPlatformName, communityId, proposalId: proposal.id, err: toError(e) },
      'slack: could not update the vote message',
    )
  }
}
