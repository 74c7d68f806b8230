export type VoteValue =
  { kind: 'boolean'; value: boolean } | { kind: 'choice'; value: string } | { kind: 'number'; value: number }

export type Vote = VoteValue & {
  id: number
  proposalId: number
  memberId: number
  castAt: number
}
