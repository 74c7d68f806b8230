import type { Action } from '../../src/domain/action.ts'
import type { Community } from '../../src/domain/community.ts'
import type { JsonObject } from '../../src/domain/json.ts'
import type { Member } from '../../src/domain/member.ts'
import { emptyBlocks, type Policy } from '../../src/domain/policy.ts'
import type { Proposal } from '../../src/domain/proposal.ts'
import type { NewProposal, PolicyInput, Store } from '../../src/store/store.ts'

/** Store tests share one store per suite; each test seeds communities of its own. */
export async function seedCommunity(store: Store, name = 'c'): Promise<Community> {
  return store.communities.create({ name, now: 1000 })
}

export function policyInput(patch: Partial<PolicyInput> = {}): PolicyInput {
  return {
    name: 'majority',
    description: 'passes with a majority',
    kind: 'platform',
    actionTypes: [],
    priority: 0,
    variables: [],
    blocks: { ...emptyBlocks(), check: 'return PASSED' },
    ...patch,
  }
}

/** What a proposal is made from: a policy (`policyInput()`) and a PolicyKit action on test.post. */
export async function seedPolicyAndAction(
  store: Store,
  communityId: number,
  input: { now: number; initiatorId?: number | null; params?: JsonObject },
): Promise<{ policy: Policy; action: Action }> {
  const policy = await store.policies.create(communityId, policyInput(), input.now)
  const { action } = await store.actions.create(communityId, {
    kind: 'platform',
    type: 'test.post',
    origin: 'policykit',
    initiatorId: input.initiatorId ?? null,
    params: input.params ?? {},
    now: input.now,
  })
  return { policy, action }
}

export interface ProposalWorld {
  community: Community
  member: Member
  policy: Policy
  proposal: Proposal
}

/** A community with a member, a policy and one pending proposal on an action. */
/** `lease`: the proposal is born leased to a first evaluation, as the engine makes it. */
export async function seedProposal(store: Store, name = 'c', lease?: NewProposal['lease']): Promise<ProposalWorld> {
  const community = await seedCommunity(store, name)
  const member = await store.members.create(community.id, {
    username: 'ada',
    now: 1000,
  })
  const { policy, action } = await seedPolicyAndAction(store, community.id, {
    initiatorId: member.id,
    params: { text: 'hi' },
    now: 1000,
  })
  const proposal = await store.proposals.create(community.id, {
    actionId: action.id,
    policyId: policy.id,
    policyVersionId: policy.versionId,
    now: 1000,
    ...(lease && { lease }),
  })
  return { community, member, policy, proposal }
}

/**
 * `count` proposals in a community of their own: made first, they put a community's proposal
 * ids ahead of its numbers, so a test can tell the two apart.
 */
export async function proposeElsewhere(store: Store, count: number): Promise<Proposal[]> {
  const elsewhere = await store.communities.create({ name: `Elsewhere ${Math.random().toString(36).slice(2)}`, now: 1 })
  const { policy, action } = await seedPolicyAndAction(store, elsewhere.id, { now: 1 })
  const made: Proposal[] = []
  for (let i = 0; i < count; i += 1) {
    made.push(
      await store.proposals.create(elsewhere.id, {
        actionId: action.id,
        policyId: policy.id,
        policyVersionId: policy.versionId,
        now: 1,
      }),
    )
  }
  return made
}
