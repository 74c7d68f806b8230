import assert from 'node:assert/strict'
import { after, beforeEach, describe, it } from 'node:test'
import { createEngine } from '../../src/engine/engine.ts'
import type { Member } from '../../src/domain/member.ts'
import type { Store } from '../../src/store/store.ts'
import { engineHarness, type EngineHarness } from '../support/engine-harness.ts'
import { testDialects } from '../support/test-store.ts'

/**
 * A policy that notices a first evaluation run twice, or a check run before `initialize`: each
 * of its blocks leaves a trace (messages, log lines, proposal data) that the tests count.
 */
const tracingPolicy = {
  name: 'traced',
  blocks: {
    initialize: `proposal.data.set('opened', true); test.postMessage('initialize')`,
    check: `if (!proposal.data.get('opened')) { throw new Error('checked before initialize') }
logger.info('check')
return proposal.getYesVotes().length >= 2 ? PASSED : PROPOSED`,
    notify: `proposal.data.set('notified', true); test.postMessage('notify')`,
  },
}

for (const dialect of testDialects()) {
  describe(`${dialect}: the first evaluation`, () => {
    let h: EngineHarness
    let voter: Member
    const harnesses: EngineHarness[] = []

    beforeEach(async () => {
      h = await engineHarness(dialect)
      harnesses.push(h)
      await h.role('Voter', ['propose:*', 'vote'])
      voter = await h.member('voter', ['Voter'])
    })
    after(async () => {
      for (const harness of harnesses) {
        await harness.close()
      }
    })

    async function checksAndErrors(actionId: number): Promise<{ checks: number; errors: string[] }> {
      const logs = await h.store.logs.list(h.community.id, { actionId })
      return {
        checks: logs.filter((l) => l.message === 'check').length,
        errors: logs.filter((l) => l.level === 'error').map((l) => l.message),
      }
    }

    it('re-executes a reverted action when the next policy passes it, and emits .executed', async () => {
      await h.policy({ name: 'fallback', blocks: { check: 'return PASSED' } })
      await h.policy({
        name: 'reverts, then raises',
        priority: 5,
        blocks: { check: 'return PROPOSED', notify: `throw new Error('no vote host')` },
      })
      await h.policy({
        name: 'react to executed posts',
        kind: 'trigger',
        actionTypes: ['test.post.executed'],
        blocks: { check: 'return PASSED', pass: `test.postMessage('executed ' + action.text)` },
      })
      const outcome = await h.engine.propose({
        communityId: h.community.id,
        type: 'test.post',
        params: { text: 'hello' },
        initiatorId: voter.id,
        origin: 'platform',
        result: { postId: 'p0' },
      })
      assert.equal(outcome.status, 'passed')
      assert.deepEqual(
        h.world.calls.map((c) => c.op),
        ['revert', 'execute'],
        'the errored policy reverted it; the passing one carried it out again',
      )
      assert.equal((await h.store.actions.get(h.community.id, outcome.action.id))?.executionState, 'executed')
      assert.deepEqual(
        h.world.messages.map((m) => m.text),
        ['executed hello'],
      )
    })

    it('runs initialize and notify once when a vote arrives during them; the vote gets one re-check after', async () => {
      await h.policy(tracingPolicy)
      const other = await h.member('other', ['Voter'])
      let votes = 0
      h.world.duringMessage = async (text, proposalId) => {
        // Both voters vote while the first evaluation holds the proposal (once in each block).
        const by = [voter, other][votes++]
        if (by && (text === 'initialize' || text === 'notify')) {
          await h.engine.castVote(h.community.id, proposalId, by.id, { kind: 'boolean', value: true })
        }
      }
      const outcome = await h.engine.propose({
        communityId: h.community.id,
        type: 'test.post',
        params: { text: 'voted early' },
        initiatorId: voter.id,
        origin: 'policykit',
      })
      assert.ok('proposal' in outcome && outcome.proposal)
      const proposal = await h.store.proposals.get(h.community.id, outcome.proposal.id)
      assert.equal(proposal?.status, 'passed', 'the re-check after the first evaluation counted both votes')
      assert.deepEqual(
        h.world.messages.map((m) => m.text),
        ['initialize', 'notify'],
      )
      assert.deepEqual(proposal.data, { opened: true, notified: true }, 'what initialize and notify wrote survives')
      assert.deepEqual(await checksAndErrors(outcome.action.id), { checks: 2, errors: [] })
      assert.deepEqual(
        h.world.calls.map((c) => c.op),
        ['execute'],
      )
    })

    it('does not let the sweep evaluate a proposal between its creation and its first evaluation', async () => {
      await h.policy(tracingPolicy)
      // The sweep of another process runs just as the proposal is created (alone, or with its
      // action when the policy's filter is known to match without running).
      const racing: Store = Object.assign(Object.create(h.store) as Store, {
        proposals: {
          ...h.store.proposals,
          async create(communityId, input) {
            const created = await h.store.proposals.create(communityId, input)
            await h.engine.sweep()
            return created
          },
          async createWithAction(communityId, action, input) {
            const created = await h.store.proposals.createWithAction(communityId, action, input)
            await h.engine.sweep()
            return created
          },
        } satisfies Store['proposals'],
      })
      const engine = createEngine({ store: racing, sandbox: h.sandbox, platforms: [h.platform], clock: h.clock })
      const outcome = await engine.propose({
        communityId: h.community.id,
        type: 'test.post',
        params: { text: 'swept early' },
        initiatorId: voter.id,
        origin: 'policykit',
      })
      assert.equal(outcome.status, 'proposed')
      assert.ok('proposal' in outcome && outcome.proposal)
      assert.deepEqual(
        h.world.messages.map((m) => m.text),
        ['initialize', 'notify'],
      )
      assert.deepEqual(await checksAndErrors(outcome.action.id), { checks: 2, errors: [] })
      const proposal = await h.store.proposals.get(h.community.id, outcome.proposal.id)
      assert.deepEqual(proposal?.data, { opened: true, notified: true })
    })
  })
}
