import type { WebClient } from '@slack/web-api'
import type { Proposal } from '../../../domain/proposal.ts'
import type { VoteValue } from '../../../domain/vote.ts'
import { proposalTally, type VoteTally } from '../../kit/vote-tally.ts'
import type { VotesPort } from '../../platform-ports.ts'
import { callSlack } from '../client.ts'
import { slackPlatformName } from '../members.ts'

/**
 * The vote message Slack hosts for a proposal: a question, one line per choice with its button,
 * and a tally line. Every button has the action id `policykit_vote` (one per block, as Block Kit
 * wants ids unique within a block); its value is `yes`/`no`, or the option's index. Reactions on
 * the message count too: 👍/👎 for yes/no, :one: … :keycap_ten: for the options in order.
 */
export const voteActionId = 'policykit_vote'

/** Options a Slack vote may have: one numbered emoji each. */
export const maxVoteOptions = 10

const numberEmoji = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'keycap_ten'] as const

export function votePostId(channel: string, ts: string): string {
  return `${channel}:${ts}`
}

export function parseVotePostId(id: string): { channel: string; ts: string } | null {
  const match = /^([A-Z0-9]+):(\d+\.\d+)$/.exec(id)
  return match?.[1] !== undefined && match[2] !== undefined ? { channel: match[1], ts: match[2] } : null
}

export function voteFromButton(value: string, options: string[] | null): VoteValue | null {
  if (options === null) {
    return value === 'yes' || value === 'no' ? { kind: 'boolean', value: value === 'yes' } : null
  }
  const option = /^\d+$/.test(value) ? options[Number(value)] : undefined
  return option === undefined ? null : { kind: 'choice', value: option }
}

/** `emoji` as reaction events name it: `+1`, `thumbsup`, `one`, or with a skin tone (`+1::skin-tone-3`). */
export function voteFromReaction(emoji: string, options: string[] | null): VoteValue | null {
  const name = emoji.replace(/^:|:$/g, '').replace(/::skin-tone-\d$/, '')
  if (options === null) {
    if (name === '+1' || name === 'thumbsup') {
      return { kind: 'boolean', value: true }
    }
    return name === '-1' || name === 'thumbsdown' ? { kind: 'boolean', value: false } : null
  }
  const index = numberEmoji.findIndex((n) => n === name)
  const option = index < 0 ? undefined : options[index]
  return option === undefined ? null : { kind: 'choice', value: option }
}

/** The proposal's tally as it stands (the kit's count of its votes). */
export function voteTally(votes: VotesPort, communityId: number, proposal: Proposal): Promise<VoteTally> {
  return proposalTally(votes, communityId, proposal)
}

/** Block Kit, as much of it as the vote message uses. */
interface TextObject {
  type: 'mrkdwn' | 'plain_text'
  text: string
  emoji?: boolean
}
interface ButtonElement {
  type: 'button'
  action_id: string
  value: string
  text: TextObject
}
export type VoteBlock =
  | { type: 'section'; block_id: string; text: TextObject; accessory?: ButtonElement }
  | { type: 'context'; block_id: string; elements: TextObject[] }

/** Slack's limits: 3000 characters in a section or context text, 75 in a button label. */
function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}

/** Option labels are the policy's data, not markup: `&`, `<` and `>` are escaped as Slack asks. */
function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

function choiceEmoji(options: string[] | null, index: number): string {
  if (options === null) {
    return index === 0 ? '+1' : '-1'
  }
  return numberEmoji[index] ?? 'ballot_box_with_ballot'
}

/** The message for a vote: buttons while it is open, the outcome once it is decided. */
export function voteBlocks(input: {
  text: string
  options: string[] | null
  tally: VoteTally
  status: Proposal['status']
}): VoteBlock[] {
  const { options, tally, status } = input
  const open = status === 'proposed'
  const blocks: VoteBlock[] = [
    // A section needs some text; the question is the policy's own markup.
    {
      type: 'section',
      block_id: 'policykit_vote_text',
      text: { type: 'mrkdwn', text: clip(input.text || 'Vote', 3000) },
    },
  ]
  tally.choices.forEach((choice, index) => {
    const emoji = choiceEmoji(options, index)
    const value = options === null ? (index === 0 ? 'yes' : 'no') : String(index)
    blocks.push({
      type: 'section',
      block_id: `policykit_vote_${value}`,
      text: { type: 'mrkdwn', text: clip(`:${emoji}: ${escapeText(choice.label)}`, 3000) },
      ...(open
        ? {
            accessory: {
              type: 'button',
              action_id: voteActionId,
              value,
              text: { type: 'plain_text', text: clip(`:${emoji}: ${choice.label}`, 75), emoji: true },
            },
          }
        : {}),
    })
  })
  const counts = tally.choices.map((c) => `${escapeText(c.label)}: ${c.count}`).join(' · ')
  const votes = `${tally.total} ${tally.total === 1 ? 'vote' : 'votes'}`
  const how = options === null ? 'the buttons, or react :+1: / :-1:' : 'the buttons, or react with the option’s number'
  const footer = open
    ? `${votes} so far (${counts}). Vote with ${how}.`
    : `Voting closed: ${status}. ${votes} (${counts}).`
  blocks.push({
    type: 'context',
    block_id: 'policykit_vote_tally',
    elements: [{ type: 'mrkdwn', text: clip(footer, 3000) }],
  })
  return blocks
}

/**
 * Rewrites the proposal's vote message with `tally` (the bot posted it, so the bot may edit it).
 * A proposal whose vote Slack does not host is left alone.
 */
export async function refreshVoteMessage(client: WebClient, proposal: Proposal, tally: VoteTally): Promise<void> {
  const post =
    proposal.votePlatform === slackPlatformName && proposal.votePostId ? parseVotePostId(proposal.votePostId) : null
  if (!post) {
    return
  }
  const text = proposal.voteText ?? ''
  const blocks = voteBlocks({ text, options: proposal.voteOptions, tally, status: proposal.status })
  await callSlack('chat.update', () => client.chat.update({ channel: post.channel, ts: post.ts, text, blocks }))
}
