import assert from 'node:assert/strict'
import { addPolicyParams } from '../../src/policy-import.ts'
import type { ActionOrigin } from '../../src/domain/action.ts'
import type { JsonObject } from '../../src/domain/json.ts'
import type { Member } from '../../src/domain/member.ts'
import { parsePolicyDocument } from '../../src/domain/policy-document.ts'
import type { Proposal } from '../../src/domain/proposal.ts'
import { isAppError } from '../../src/errors.ts'
import type { EngineHarness } from '../support/engine-harness.ts'

export const hour = 60 * 60 * 1000

/** Proposes an action and returns its proposal (every kit governs every action it is given). */
export async function propose(
  h: EngineHarness,
  member: Member,
  type: string,
  params: JsonObject,
  origin: ActionOrigin = 'policykit',
): Promise<Proposal> {
  const outcome = await h.engine.propose({ communityId: h.community.id, type, params, initiatorId: member.id, origin })
  assert.ok('proposal' in outcome && outcome.proposal, `${type} got no proposal: ${outcome.status}`)
  return outcome.proposal
}

/** A constitution action every kit governs: adding a small policy named `name`. */
export function addPolicy(h: EngineHarness, member: Member, name: string): Promise<Proposal> {
  const doc = parsePolicyDocument({
    format: 'policykit.policy/1',
    name,
    kind: 'platform',
    actionTypes: ['test.rename'],
    blocks: { check: 'return PASSED' },
  })
  return propose(h, member, 'constitution.addPolicy', addPolicyParams(doc, true))
}

export async function policyNames(h: EngineHarness): Promise<string[]> {
  return (await h.store.policies.list(h.community.id)).map((p) => p.name)
}

export async function statusOf(h: EngineHarness, proposal: Proposal): Promise<string | undefined> {
  return (await h.store.proposals.get(h.community.id, proposal.id))?.status
}

export async function proposalOf(h: EngineHarness, proposal: Proposal): Promise<Proposal> {
  const current = await h.store.proposals.get(h.community.id, proposal.id)
  assert.ok(current)
  return current
}

export function vote(h: EngineHarness, proposal: Proposal, member: Member, value: boolean): Promise<void> {
  return h.engine.castVote(h.community.id, proposal.id, member.id, { kind: 'boolean', value })
}

/** A vote the proposal's restriction refuses. */
export async function refusedVote(h: EngineHarness, proposal: Proposal, member: Member, value = true): Promise<void> {
  await assert.rejects(vote(h, proposal, member, value), (e: unknown) => isAppError(e, 'forbidden'))
}

/** Lets time pass, then runs the periodic re-check. */
export async function later(h: EngineHarness, ms: number): Promise<void> {
  await h.clock.advance(ms)
  await h.engine.sweep()
}

export function theCreator(h: EngineHarness): Member {
  assert.ok(h.creator, 'the harness was made with a kit')
  return h.creator
}
