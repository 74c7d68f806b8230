import { z } from 'zod'
import type { VoteValue } from '../../../domain/vote.ts'

/**
 * How members vote on Reddit: they reply to the vote's comment (or post) with `+1` or `-1`
 * (`yes`/`no`, `y`/`n` too), or with an option's number. Only the reply's first word counts, so
 * `+1 good idea` is a yes; Reddit's markdown escapes (`\+1`, `\-1`) are read as typed.
 */
export function voteFromReply(body: string, options: string[] | null): VoteValue | null {
  const first =
    body
      .trim()
      .replace(/\\([+-])/g, '$1')
      .split(/\s+/)[0]
      ?.toLowerCase()
      .replace(/[.,!?;:]+$/, '') ?? ''
  if (options === null) {
    if (first === '+1' || first === 'yes' || first === 'y') {
      return { kind: 'boolean', value: true }
    }
    return first === '-1' || first === 'no' || first === 'n' ? { kind: 'boolean', value: false } : null
  }
  const number = /^#?(\d{1,2})$/.exec(first)?.[1]
  const option = number === undefined ? undefined : options[Number(number) - 1]
  return option === undefined ? null : { kind: 'choice', value: option }
}

/**
 * The vote replies the poller keeps an eye on (the latest of each member on each open vote), by
 * the reply's fullname, kept as a cursor: an edit moves the vote, a deletion withdraws it.
 */
export const trackedReplies = z.record(
  z.string(),
  z.object({ proposalId: z.number(), memberId: z.number(), body: z.string() }),
)
export type TrackedReplies = z.infer<typeof trackedReplies>

export function parseTracked(value: string | null): TrackedReplies {
  if (value === null) {
    return {}
  }
  try {
    const parsed = trackedReplies.safeParse(JSON.parse(value))
    return parsed.success ? parsed.data : {}
  } catch {
    return {}
  }
}

/** The question and how to answer, as the vote comment shows it. */
export function voteCommentText(input: {
  text: string
  options: string[] | null
  tally: { choices: Array<{ label: string; count: number }>; total: number } | null
  status: string
}): string {
  const how =
    input.options === null
      ? 'Reply **+1** (yes) or **-1** (no) to this comment. Your latest reply counts; edit or delete it to change or take back your vote.'
      : `Reply with the number of your choice:\n\n${input.options.map((o, i) => `${i + 1}. ${o}`).join('\n')}\n\nYour latest reply counts; edit or delete it to change or take back your vote.`
  const counts = input.tally ? input.tally.choices.map((c) => `${c.label}: ${c.count}`).join(' · ') : ''
  const footer =
    input.status === 'proposed'
      ? input.tally && input.tally.total > 0
        ? `\n\n*${input.tally.total} ${input.tally.total === 1 ? 'vote' : 'votes'} so far (${counts}).*`
        : ''
      : `\n\n**Voting closed: ${input.status}.**${input.tally ? ` ${counts}` : ''}`
  return `${input.text}\n\n${input.status === 'proposed' ? how : ''}${footer}`.trim()
}
