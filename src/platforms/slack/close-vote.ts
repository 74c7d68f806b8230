import type { Proposal } from '../../domain/proposal.ts'
import type { PlatformContext } from '../platform.ts'
import { slackClients } from './slack-clients.ts'
import type { SlackDeps } from './slack-deps.ts'
import { refreshVoteMessage, voteTally } from './vote-message.ts'

/**
 * `onVoteClosed`: once a proposal whose vote Slack hosts is decided (by a vote, a timer or the
 * sweep), its vote message is rewritten with the final tally, the outcome and no buttons, so
 * nobody clicks a vote that no longer counts. A failure is the engine's to log.
 */
export function closeVoteMessage(deps: SlackDeps): (ctx: PlatformContext, proposal: Proposal) => Promise<void> {
  return async (ctx, proposal) => {
    if (proposal.status === 'proposed') {
      return
    }
    const { bot } = slackClients(ctx, deps.options)
    await refreshVoteMessage(bot, proposal, await voteTally(deps.store, ctx.communityId, proposal))
  }
}
