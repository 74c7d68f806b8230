import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, it } from 'node:test'
import type { Member } from '../../src/domain/member.ts'
import { defaultLeaseMs } from '../../src/engine/engine.ts'
import { engineHarness, type EngineHarness } from '../support/engine-harness.ts'
import { testDialects } from '../support/test-store.ts'

const yes = { kind: 'boolean', value: true } as const

for (const dialect of testDialects()) {
  describe(`${dialect}: executions a crash interrupted`, () => {
    let h: EngineHarness
    let voters: Member[]

    const action = async (id: number) => h.store.actions.get(h.community.id, id)
    const executedTriggers = () => h.world.messages.filter((m) => m.text.startsWith('executed: '))

    /** Proposes a test.post; it waits for two yes votes. */
    async function propose(text: string, origin: 'platform' | 'policykit') {
      const outcome = await h.engine.propose({
        communityId: h.community.id,
        type: 'test.post',
        params: { text },
        initiatorId: null,
        origin,
        ...(origin === 'platform' && { result: { postId: `original-${text}` } }),
      })
      assert.ok('proposal' in outcome && outcome.proposal)
      return { action: outcome.action, proposal: outcome.proposal }
    }

    async function passByVote(proposalId: number): Promise<void> {
      for (const voter of voters) {
        await h.engine.castVote(h.community.id, proposalId, voter.id, yes)
      }
      assert.equal((await h.store.proposals.get(h.community.id, proposalId))?.status, 'passed')
    }

    before(async () => {
      h = await engineHarness(dialect)
      await h.role('Voter', ['propose:*', 'vote'])
      voters = [await h.member('ann', ['Voter']), await h.member('bob', ['Voter'])]
      await h.policy({
        name: 'two yes votes',
        actionTypes: ['test.post'],
        blocks: { check: 'return proposal.getYesVotes().length >= 2 ? PASSED : PROPOSED' },
      })
      await h.policy({
        name: 'announce executed posts',
        kind: 'trigger',
        actionTypes: ['test.post.executed'],
        blocks: { check: 'return PASSED', pass: `test.postMessage('executed: ' + action.text)` },
      })
    })
    beforeEach(() => {
      h.world.calls.length = 0
      h.world.messages.length = 0
    })
    after(() => h.close())

    it('executes again, once, an execution interrupted before its outcome was written', async () => {
      const { action: posted, proposal } = await propose('interrupted', 'policykit')
      // As if the process that decided died during the platform call: the claim stays behind.
      assert.equal(
        await h.store.actions.claimExecution(h.community.id, posted.id, ['none'], 'executing', h.clock.now()),
        true,
      )
      await passByVote(proposal.id)
      assert.equal(h.world.calls.length, 0, 'the claim stops the decider')
      assert.deepEqual(executedTriggers(), [], 'nothing was executed, so nothing says so')

      h.clock.set(h.clock.now() + defaultLeaseMs - 1000)
      await h.engine.sweep()
      assert.equal((await action(posted.id))?.executionState, 'executing', 'a fresh claim is someone at work')
      assert.equal(h.world.calls.length, 0)

      h.clock.set(h.clock.now() + 2000)
      await h.engine.sweep()
      await h.engine.sweep()
      assert.deepEqual(
        h.world.calls.map((c) => [c.op, c.params['text']]),
        [['execute', 'interrupted']],
      )
      assert.equal((await action(posted.id))?.executionState, 'executed')
      assert.deepEqual(
        executedTriggers().map((m) => m.text),
        ['executed: interrupted'],
      )
      const logs = await h.store.logs.list(h.community.id, { actionId: posted.id })
      assert.ok(
        logs.some(
          (l) => l.level === 'warn' && l.message === 'the execute of test.post was interrupted; it will be tried again',
        ),
        JSON.stringify(logs.map((l) => l.message)),
      )
    })

    it('redoes an interrupted revert and then carries out the action its vote passed', async () => {
      const { action: posted, proposal } = await propose('held', 'platform')
      assert.equal((await action(posted.id))?.executionState, 'reverted')
      // As if the process died after the platform deleted the post, before `reverted` was written.
      await h.store.db
        .updateTable('actions')
        .set({ execution_state: 'reverting', execution_claimed_at: h.clock.now() })
        .where('id', '=', posted.id)
        .execute()
      h.world.calls.length = 0
      await passByVote(proposal.id)
      assert.equal(h.world.calls.length, 0)
      assert.deepEqual(executedTriggers(), [])

      h.clock.set(h.clock.now() + defaultLeaseMs + 1000)
      await h.engine.sweep()
      await h.engine.sweep()
      assert.deepEqual(
        h.world.calls.map((c) => c.op),
        ['revert', 'execute'],
      )
      assert.equal((await action(posted.id))?.executionState, 'executed')
      assert.deepEqual(
        [...h.world.posts.values()].filter((p) => p.text === 'held'),
        [{ text: 'held', channel: 'general' }],
      )
      assert.deepEqual(
        executedTriggers().map((m) => m.text),
        ['executed: held'],
      )
    })

    it('drops a postponed revert whose proposal passed meanwhile (the action stood all along)', async () => {
      h.world.unavailable = 1
      const { action: posted, proposal } = await propose('outage', 'platform')
      assert.equal((await action(posted.id))?.executionState, 'none', 'the revert could not be made')
      await passByVote(proposal.id)
      assert.deepEqual(
        executedTriggers().map((m) => m.text),
        ['executed: outage'],
        'passed as it happened',
      )
      await h.engine.perform(h.community.id, posted.id, 'revert') // the retried revert comes late
      assert.equal(h.world.calls.length, 0)
      assert.equal((await action(posted.id))?.executionState, 'none')
      assert.equal(executedTriggers().length, 1)
    })
  })
}
