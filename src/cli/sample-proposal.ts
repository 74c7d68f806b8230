import { z } from 'zod'
import type { JsonObject, JsonValue } from '../domain/json.ts'
import { voterFilter } from '../engine/run-context.ts'
import { AppError } from '../errors.ts'
import type { HostFunction } from '../sandbox/sandbox.ts'

const vote = z.object({
  memberId: z.number().int().optional(),
  username: z.string().optional(),
  value: z.union([z.boolean(), z.string(), z.number()]),
  castAt: z.number().optional(),
})

/** `--proposal`: what a sample proposal holds; votes name their voter by id or username. */
export const sampleProposalSchema = z.object({
  id: z.number().int().default(1),
  status: z.enum(['proposed', 'passed', 'failed']).default('proposed'),
  proposedAt: z.number().optional(),
  votePostId: z.string().nullable().default(null),
  voteUrl: z.string().nullable().default(null),
  data: z.record(z.string(), z.json()).default({}),
  votes: z.array(vote).default([]),
})

export type SampleProposal = z.infer<typeof sampleProposalSchema>

interface SampleVote {
  memberId: number
  username: string
  kind: 'boolean' | 'choice' | 'number'
  value: boolean | string | number
  castAt: number
}

function kindOf(value: boolean | string | number): SampleVote['kind'] {
  return typeof value === 'boolean' ? 'boolean' : typeof value === 'string' ? 'choice' : 'number'
}

/**
 * The `proposal` global and its functions for `policykit sandbox --proposal`, answering vote
 * queries the way the engine does (the same voter filter), from the sample's votes. `data`
 * holds what the block wrote with `proposal.data.set`.
 */
export function sampleProposal(
  sample: SampleProposal,
  now: number,
): { global: JsonObject; functions: Record<string, HostFunction>; data: JsonObject } {
  const proposedAt = sample.proposedAt ?? now
  const votes: SampleVote[] = sample.votes.map((v, i) => ({
    memberId: v.memberId ?? i + 1,
    username: v.username ?? `member${v.memberId ?? i + 1}`,
    kind: kindOf(v.value),
    value: v.value,
    castAt: v.castAt ?? now,
  }))
  const data: JsonObject = { ...sample.data }
  const select =
    (kind?: SampleVote['kind'], value?: boolean | string | number) =>
    (users: JsonValue | undefined): JsonValue => {
      const voters = voterFilter(users)
      return votes
        .filter(
          (v) =>
            (kind === undefined || v.kind === kind) &&
            (value === undefined || v.value === value) &&
            (voters === null || voters.ids.has(v.memberId) || voters.names.has(v.username)),
        )
        .map((v) => ({ memberId: v.memberId, kind: v.kind, value: v.value, castAt: v.castAt }))
    }
  const functions: Record<string, HostFunction> = {
    'proposal.getTimeElapsed': () => now - proposedAt,
    'proposal.getYesVotes': (users) => select('boolean', true)(users),
    'proposal.getNoVotes': (users) => select('boolean', false)(users),
    'proposal.getChoiceVotes': (value, users) => select('choice', typeof value === 'string' ? value : undefined)(users),
    'proposal.getNumberVotes': (value, users) => select('number', typeof value === 'number' ? value : undefined)(users),
    'proposal.getAllVotes': (users) => select()(users),
    'proposal.data.get': (key) => (typeof key === 'string' ? (data[key] ?? null) : null),
    'proposal.data.set': (key, value) => {
      if (typeof key !== 'string') {
        throw new AppError('invalid_input', 'proposal.data.set(key, value): key must be a string')
      }
      data[key] = value ?? null
      return true
    },
    'proposal.data.remove': (key) => {
      if (typeof key !== 'string' || !(key in data)) {
        return false
      }
      delete data[key]
      return true
    },
  }
  const global: JsonObject = {
    id: sample.id,
    status: sample.status,
    proposedAt,
    votePostId: sample.votePostId,
    voteUrl: sample.voteUrl,
  }
  return { global, functions, data }
}
