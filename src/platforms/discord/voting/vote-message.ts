import type { ProposalStatus } from '../../../domain/proposal.ts'
import type { VoteValue } from '../../../domain/vote.ts'
import type { VoteTally } from '../../kit/vote-tally.ts'
import type { JsonObject } from '../../../domain/json.ts'

/**
 * The vote message Discord hosts for a proposal: the question and the tally as its content, one
 * button per choice (custom id `policykit_vote:yes`/`no`, or `policykit_vote:<option index>`),
 * and the bot's own reactions to click: 👍/👎 for yes/no, 1️⃣…🔟 for the options in order. Once
 * decided, the outcome replaces the buttons.
 */
export const voteButtonPrefix = 'policykit_vote:'

/** Options a Discord vote may have: one numbered emoji (and one button) each. */
export const maxVoteOptions = 10

const yesEmoji = '👍'
const noEmoji = '👎'
const numberEmoji = ['1️⃣', '2️⃣', '3️⃣', '4️⃣', '5️⃣', '6️⃣', '7️⃣', '8️⃣', '9️⃣', '🔟'] as const

export function votePostId(channel: string, message: string): string {
  return `${channel}:${message}`
}

export function parseVotePostId(id: string): { channel: string; message: string } | null {
  const match = /^(\d{15,21}):(\d{15,21})$/.exec(id)
  return match?.[1] !== undefined && match[2] !== undefined ? { channel: match[1], message: match[2] } : null
}

/** The message's link, as Discord's client copies it. */
export function messageUrl(guild: string, channel: string, message: string): string {
  return `https://discord.com/channels/${guild}/${channel}/${message}`
}

/** The reactions the bot puts on the vote message, in order. */
export function voteEmoji(options: readonly string[] | null): string[] {
  return options === null ? [yesEmoji, noEmoji] : numberEmoji.slice(0, options.length)
}

export function voteFromButton(customId: string, options: readonly string[] | null): VoteValue | null {
  if (!customId.startsWith(voteButtonPrefix)) {
    return null
  }
  const value = customId.slice(voteButtonPrefix.length)
  if (options === null) {
    return value === 'yes' || value === 'no' ? { kind: 'boolean', value: value === 'yes' } : null
  }
  const option = /^\d+$/.test(value) ? options[Number(value)] : undefined
  return option === undefined ? null : { kind: 'choice', value: option }
}

/** A reaction's emoji (its name, as the gateway gives a standard emoji), with any skin tone left off. */
export function voteFromReaction(emoji: string, options: readonly string[] | null): VoteValue | null {
  const name = emoji.replace(/[\u{1F3FB}-\u{1F3FF}]/gu, '')
  if (options === null) {
    if (name === yesEmoji) {
      return { kind: 'boolean', value: true }
    }
    return name === noEmoji ? { kind: 'boolean', value: false } : null
  }
  const index = numberEmoji.findIndex((n) => n === name)
  const option = index < 0 ? undefined : options[index]
  return option === undefined ? null : { kind: 'choice', value: option }
}

/** Discord's limits: 2000 characters of content, 80 in a button label. */
function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}

const outcome: Partial<Record<ProposalStatus, string>> = {
  passed: '✅ Passed',
  failed: '❌ Failed',
}

/** The message's content: the question, then one line per choice with its count, then the outcome once decided. */
export function voteContent(input: {
  text: string
  options: readonly string[] | null
  tally: VoteTally
  status: ProposalStatus
}): string {
  const emoji = voteEmoji(input.options)
  const lines = input.tally.choices.map((c, i) => `${emoji[i] ?? ''} ${c.label}: ${c.count}`)
  const decided = outcome[input.status] ?? (input.status === 'proposed' ? null : `Closed (${input.status})`)
  const footer = decided === null ? `${input.tally.total} vote(s) so far` : `${decided} · ${input.tally.total} vote(s)`
  const tail = `\n\n${lines.join('\n')}\n${footer}`
  return `${clip(input.text, 2000 - tail.length)}${tail}`
}

/** The buttons (five to a row) while the vote is open; none once it is decided. */
export function voteComponents(options: readonly string[] | null, status: ProposalStatus): JsonObject[] {
  if (status !== 'proposed') {
    return []
  }
  const buttons: JsonObject[] =
    options === null
      ? [
          { type: 2, style: 3, label: 'Yes', custom_id: `${voteButtonPrefix}yes` },
          { type: 2, style: 4, label: 'No', custom_id: `${voteButtonPrefix}no` },
        ]
      : options.map((option, i) => ({
          type: 2,
          style: 1,
          label: clip(option, 80),
          custom_id: `${voteButtonPrefix}${i}`,
        }))
  const rows: JsonObject[] = []
  for (let i = 0; i < buttons.length; i += 5) {
    rows.push({ type: 1, components: buttons.slice(i, i + 5) })
  }
  return rows
}
