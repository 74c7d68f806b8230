import type { JsonObject } from './json.ts'

/** `errored`: its first evaluation raised, so the action moved on to the next eligible policy. */
export type ProposalStatus = 'proposed' | 'passed' | 'failed' | 'errored'

export type CheckResult = 'passed' | 'failed' | 'proposed'

export interface Proposal {
  id: number
  communityId: number
  /** Its number within the community (1, 2, 3…, without gaps): what people call "Proposal #3". */
  number: number
  actionId: number
  policyId: number
  /** The policy version this proposal started with and keeps. */
  policyVersionId: number
  status: ProposalStatus
  proposedAt: number
  decidedAt: number | null
  votePostId: string | null
  voteUrl: string | null
  /** Set when a vote is hosted somewhere: the platform that hosts it. */
  votePlatform: string | null
  /** Members who may vote on it (set when a vote is initiated for some only); null: every member. */
  eligibleVoters: number[] | null
  /** The question of the vote, when the platform hosting it recorded one. */
  voteText: string | null
  /** The vote's choices; null: a yes/no vote (or no vote). */
  voteOptions: string[] | null
  data: JsonObject
  /**
   * Whether its first evaluation got as far as `notify` (which runs once). A pending proposal
   * without it lost its first evaluation to a crash: the next evaluation is a first one again.
   */
  notified: boolean
}

/** A proposal as it is made: pending, with no vote, data or decision yet. */
export function newProposal(
  fields: Pick<Proposal, 'id' | 'communityId' | 'number' | 'actionId' | 'policyId' | 'policyVersionId' | 'proposedAt'>,
): Proposal {
  return {
    ...fields,
    status: 'proposed',
    decidedAt: null,
    votePostId: null,
    voteUrl: null,
    votePlatform: null,
    eligibleVoters: null,
    voteText: null,
    voteOptions: null,
    data: {},
    notified: false,
  }
}

/** Only the exact strings count; anything else (undefined too) means still proposed. */
export function normalizeCheckResult(value: unknown): CheckResult {
  return value === 'passed' || value === 'failed' ? value : 'proposed'
}
