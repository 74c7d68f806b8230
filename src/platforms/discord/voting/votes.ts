import type { Proposal } from '../../../domain/proposal.ts'
import type { VoteValue } from '../../../domain/vote.ts'
import { toError } from '../../../errors.ts'
import { castHostedVote, withdrawHostedVote, type CastOutcome } from '../../kit/vote-tally.ts'
import type { DiscordDeps } from '../deps.ts'
import { discordPlatformName } from '../names.ts'
import { ensureDiscordMember, type DiscordUser } from '../users.ts'
import { rewriteVoteMessage } from './voting.ts'
import { votePostId } from './vote-message.ts'

/** The proposal whose vote PolicyKit posted as this message, if it is one. */
export function proposalOfVoteMessage(
  deps: DiscordDeps,
  communityId: number,
  channel: string,
  message: string,
): Promise<Proposal | undefined> {
  return deps.ports.votes.proposalOfPost(communityId, votePostId(channel, message))
}

/**
 * Casts (or moves) the Discord user's vote (a click or a reaction) through the engine, which
 * re-checks the proposal at once; a vote that leaves it open rewrites the tally on the message.
 * The voter is a person (a bot's vote is refused), provisioned as a member on first sight.
 */
export async function castDiscordVote(
  deps: DiscordDeps,
  communityId: number,
  proposal: Proposal,
  voter: DiscordUser,
  vote: VoteValue,
): Promise<CastOutcome> {
  if (voter.bot === true) {
    return 'not_a_member'
  }
  const member = await ensureDiscordMember(deps.ports.members, communityId, voter)
  return castHostedVote(
    deps.ports.votes,
    { communityId, proposalId: proposal.id, memberId: member.id, vote },
    (current) => refreshTally(deps, communityId, current),
  )
}

/** A removed reaction takes back the vote it cast, and only that one. */
export async function withdrawDiscordVote(
  deps: DiscordDeps,
  communityId: number,
  proposal: Proposal,
  discordUserId: string,
  vote: VoteValue,
): Promise<boolean> {
  const member = await deps.ports.members.findByAccount(communityId, discordUserId)
  if (!member) {
    return false
  }
  return withdrawHostedVote(
    deps.ports.votes,
    { communityId, proposalId: proposal.id, memberId: member.id, vote },
    (current) => refreshTally(deps, communityId, current),
  )
}

/** Rewrites the tally; a failure there loses no vote, so it is logged. */
async function refreshTally(deps: DiscordDeps, communityId: number, proposal: Proposal): Promise<void> {
  try {
    await rewriteVoteMessage(deps, { communityId }, proposal)
  } catch (e) {
    deps.ports.logger.warn(
      { platform: discordPlatformName, communityId, proposalId: proposal.id, err: toError(e) },
      'discord: could not update the vote message',
    )
  }
}
