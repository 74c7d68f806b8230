import type { VoteHosting } from '../../platform.ts'
import { slackClients } from '../slack-clients.ts'
import type { SlackDeps } from '../slack-deps.ts'
import { refreshVoteMessage, voteTally } from './vote-message.ts'

/**
 * Slack hosts votes as Block Kit messages (`initiateVote` posts one). A vote that did not decide
 * its proposal shows the new tally (`refresh`); once the proposal is decided (by a vote, a timer
 * or the sweep), the engine calls `close` once, and the message is rewritten with the final
 * tally, the outcome and no buttons, so nobody clicks a vote that no longer counts. A failure is
 * the caller's to log.
 */
export function slackVoting(deps: SlackDeps): VoteHosting {
  const rewrite: VoteHosting['refresh'] = async (ctx, proposal) => {
    const { bot } = slackClients(ctx, deps.options)
    await refreshVoteMessage(bot, proposal, await voteTally(deps.ports.votes, ctx.communityId, proposal))
  }
  return {
    open: 'initiateVote',
    refresh: rewrite,
    async close(ctx, proposal) {
      if (proposal.status !== 'proposed') {
        await rewrite(ctx, proposal)
      }
    },
  }
}
