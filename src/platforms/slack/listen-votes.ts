import type { Proposal } from '../../domain/proposal.ts'
import type { VoteValue } from '../../domain/vote.ts'
import { isAppError, toError } from '../../errors.ts'
import { memberOfSlackUser, type SlackListener } from './listen-context.ts'
import { slackPlatformName } from './members.ts'
import { refreshVoteMessage, votePostId, voteTally } from './vote-message.ts'

/**
 * What became of a vote cast in Slack (a button click or a reaction on a vote message):
 * `not_a_member` for a bot, an app user, a deactivated account or someone of another team.
 */
export type SlackVoteOutcome = 'cast' | 'ineligible' | 'closed' | 'not_a_member'

/** What PolicyKit tells a voter privately when their vote did not count. */
export const voteRefusal: Record<Exclude<SlackVoteOutcome, 'cast'>, string> = {
  ineligible: 'You are not eligible to vote on this.',
  not_a_member: 'You are not eligible to vote on this.',
  closed: 'This vote has closed; your vote was not counted.',
}

/** The proposal whose vote PolicyKit posted as this message, if it is one. */
export function proposalOfVoteMessage(
  listener: SlackListener,
  channel: string,
  ts: string,
): Promise<Proposal | undefined> {
  return listener.store.proposals.findByVotePost(listener.communityId, slackPlatformName, votePostId(channel, ts))
}

/** Casts (or moves) the Slack user's vote; the engine re-checks the proposal at once. */
export async function castSlackVote(
  listener: SlackListener,
  proposal: Proposal,
  slackUserId: string,
  vote: VoteValue,
): Promise<SlackVoteOutcome> {
  const member = await memberOfSlackUser(listener, slackUserId)
  if (!member) {
    return 'not_a_member'
  }
  try {
    await listener.engine.castVote(listener.communityId, proposal.id, member.id, vote)
  } catch (e) {
    if (isAppError(e, 'forbidden')) {
      return 'ineligible'
    }
    if (isAppError(e, 'conflict')) {
      return 'closed'
    }
    throw e
  }
  // castVote has re-checked the proposal: the message shows the outcome when this vote decided it.
  await refreshTally(listener, proposal.id)
  return 'cast'
}

/**
 * A removed reaction takes back the vote it cast, and only that one: someone who reacted 👍 and
 * then clicked "no" keeps their "no" when they remove the 👍. The proposal is re-checked at once.
 */
export async function withdrawSlackVote(
  listener: SlackListener,
  proposal: Proposal,
  slackUserId: string,
  vote: VoteValue,
): Promise<boolean> {
  const { store, communityId } = listener
  const member = await store.members.findByAccount(communityId, slackPlatformName, slackUserId)
  if (!member || proposal.status !== 'proposed') {
    return false
  }
  const [current] = await store.votes.list(communityId, proposal.id, { memberIds: [member.id] })
  if (!current || current.kind !== vote.kind || current.value !== vote.value) {
    return false
  }
  if (!(await store.votes.withdraw(communityId, proposal.id, member.id))) {
    return false
  }
  await listener.engine.recheck(communityId, proposal.id)
  await refreshTally(listener, proposal.id)
  return true
}

/** Rewrites the vote message with the current count; a failure there loses no vote, so it is logged. */
async function refreshTally(listener: SlackListener, proposalId: number): Promise<void> {
  const { store, communityId } = listener
  const proposal = await store.proposals.get(communityId, proposalId)
  if (!proposal) {
    return
  }
  try {
    await refreshVoteMessage(listener.bot, proposal, await voteTally(store, communityId, proposal))
  } catch (e) {
    listener.logger.warn(
      { platform: slackPlatformName, communityId, proposalId, err: toError(e) },
      'slack: could not update the vote message',
    )
  }
}
