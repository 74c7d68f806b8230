import type { PlatformPorts } from '../platform-ports.ts'
import type { VoteHosting } from '../platform.ts'
import { forumCall } from './context.ts'
import { discoursePlatformName } from './context.ts'
import { pollName } from './poll-votes.ts'

/**
 * Discourse hosts votes as polls (`initiateVote` posts one). The poll shows its own tally, so
 * there is nothing to refresh; once the proposal is decided the poll is closed on the forum, so
 * nobody votes where it no longer counts.
 */
export function discourseVoting(_ports: PlatformPorts): VoteHosting {
  return {
    open: 'initiateVote',
    async refresh() {},
    async close(ctx, proposal) {
      if (proposal.status === 'proposed' || proposal.votePlatform !== discoursePlatformName || !proposal.votePostId) {
        return
      }
      await forumCall(ctx, 'PUT', '/polls/toggle_status', {
        post_id: Number(proposal.votePostId),
        poll_name: pollName,
        status: 'closed',
      })
    },
  }
}
