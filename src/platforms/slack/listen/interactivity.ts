import { handleOnce } from '../../kit/delivery-ledger.ts'
import { voteRefusal } from '../../kit/vote-tally.ts'
import { slackListener, tellPrivately } from './listener.ts'
import type { SlackDeps } from '../slack-deps.ts'
import type { InteractionPayload } from './payloads.ts'
import { castSlackVote, proposalOfVoteMessage } from './votes.ts'
import { slackPlatformName } from '../members.ts'
import { voteActionId, voteFromButton } from '../voting/vote-message.ts'

/**
 * A Block Kit interaction. PolicyKit's only interactive elements are the buttons of its vote
 * messages: a click casts or moves the clicking member's vote and updates the tally; a voter who
 * may not vote, or a click on a vote that has closed, is told so privately. The same click
 * delivered again (a replay of its signed request) changes nothing.
 */
export async function handleInteraction(deps: SlackDeps, payload: InteractionPayload): Promise<void> {
  const { logger } = deps.ports
  if (payload.type !== 'block_actions') {
    return
  }
  const clicks = (payload.actions ?? []).filter((a) => a.action_id === voteActionId)
  const teamId = payload.team?.id ?? payload.user.team_id
  const channel = payload.container?.channel_id ?? payload.channel?.id
  const ts = payload.container?.message_ts ?? payload.message?.ts
  if (clicks.length === 0 || teamId === undefined || channel === undefined || ts === undefined) {
    return
  }
  const listener = await slackListener(deps, teamId)
  if (!listener) {
    logger.info(
      { platform: slackPlatformName, teamId },
      'slack: interaction from a workspace no community is connected to; ignored',
    )
    return
  }
  const user = payload.user.id
  const castVotes = async () => {
    const proposal = await proposalOfVoteMessage(listener, channel, ts)
    if (!proposal) {
      await tellPrivately(listener, { channel, user, text: 'PolicyKit has no vote on this message.' })
      return
    }
    for (const click of clicks) {
      const vote = voteFromButton(click.value ?? '', proposal.voteOptions)
      if (!vote) {
        continue
      }
      const outcome = await castSlackVote(listener, proposal, user, vote)
      if (outcome !== 'cast') {
        await tellPrivately(listener, { channel, user, text: voteRefusal[outcome] })
      }
    }
  }
  // A signed request replayed within Slack's five minutes would move the vote back: each click counts once.
  const key = clickKey(payload, user)
  if (key === null) {
    await castVotes()
    return
  }
  const claim = await handleOnce(listener.ports.deliveries, listener.communityId, key, castVotes)
  if (claim !== 'claimed') {
    logger.info(
      { platform: slackPlatformName, communityId: listener.communityId, claim },
      'slack: a click delivered again (a replay?); ignored',
    )
  }
}

/** What names one click: Slack's trigger id, else the clicking user and the action's time. */
function clickKey(payload: InteractionPayload, user: string): string | null {
  if (payload.trigger_id !== undefined) {
    return `click:${payload.trigger_id}`
  }
  const actionTs = payload.actions?.find((a) => a.action_ts !== undefined)?.action_ts
  return actionTs === undefined ? null : `click:${user}:${actionTs}`
}
