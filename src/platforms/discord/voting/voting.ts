import { Routes } from 'discord-api-types/v10'
import type { JsonObject } from '../../../domain/json.ts'
import type { Proposal } from '../../../domain/proposal.ts'
import { proposalTally } from '../../kit/vote-tally.ts'
import type { PlatformContext, VoteHosting } from '../../platform.ts'
import { callDiscord, discordRest } from '../client.ts'
import type { DiscordDeps } from '../deps.ts'
import { parseVotePostId, voteComponents, voteContent } from './vote-message.ts'

/** The vote message as it now stands: its tally (and, once decided, its outcome and no buttons). */
export async function voteMessageBody(
  deps: DiscordDeps,
  ctx: Pick<PlatformContext, 'communityId'>,
  proposal: Proposal,
): Promise<JsonObject> {
  const tally = await proposalTally(deps.ports.votes, ctx.communityId, proposal)
  const text = proposal.voteText ?? `Vote on proposal ${proposal.id}`
  return {
    content: voteContent({ text, options: proposal.voteOptions, tally, status: proposal.status }),
    components: voteComponents(proposal.voteOptions, proposal.status),
    allowed_mentions: { parse: [] },
  }
}

/** Rewrites the vote message with the proposal's tally (and, once decided, its outcome and no buttons). */
export async function rewriteVoteMessage(
  deps: DiscordDeps,
  ctx: Pick<PlatformContext, 'communityId'>,
  proposal: Proposal,
): Promise<void> {
  const post = proposal.votePostId === null ? null : parseVotePostId(proposal.votePostId)
  if (post === null) {
    return
  }
  const body = await voteMessageBody(deps, ctx, proposal)
  await callDiscord('update the vote', () =>
    discordRest(deps.options).patch(Routes.channelMessage(post.channel, post.message), { body }),
  )
}

/**
 * Discord hosts votes as bot messages with buttons and reactions (`initiateVote` posts one). A vote
 * that did not decide its proposal shows the new tally (`refresh`); once the proposal is decided,
 * however, the engine calls `close` once and the message shows the outcome without buttons.
 */
export function discordVoting(deps: DiscordDeps): VoteHosting {
  return {
    open: 'initiateVote',
    refresh: (ctx, proposal) => rewriteVoteMessage(deps, ctx, proposal),
    async close(ctx, proposal) {
      if (proposal.status !== 'proposed') {
        await rewriteVoteMessage(deps, ctx, proposal)
      }
    },
  }
}
