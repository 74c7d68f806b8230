import assert from 'node:assert/strict'
import { after, beforeEach, describe, it } from 'node:test'
import { createEngine, type ProposeOutcome } from '../../src/engine/engine.ts'
import type { Store } from '../../src/store/store.ts'
import { engineHarness, type EngineHarness } from '../support/engine-harness.ts'
import { testDialects } from '../support/test-store.ts'

/**
 * A new action whose policy is known without running a filter, and whose first evaluation needs
 * nothing but the sandbox (no platform call, no notify block, nothing to revert), is evaluated
 * before anything is written: the action, its pending proposal and what the evaluation wrote are
 * then written in one commit, and decided (or errored) after when its check decided (or a block
 * raised). Anything else goes the ordinary way, with nothing done twice.
 */
for (const dialect of testDialects()) {
  describe(`${dialect}: a first evaluation run before its proposal is written`, () => {
    let h: EngineHarness
    const harnesses: EngineHarness[] = []

    beforeEach(async () => {
      h = await engineHarness(dialect)
      harnesses.push(h)
    })
    after(async () => {
      for (const harness of harnesses) {
        await harness.close()
      }
    })

    /** The harness's engine on a store that counts the proposal writes it is asked for. */
    function countingEngine(): { engine: ReturnType<typeof createEngine>; writes: Record<string, number> } {
      const writes: Record<string, number> = {}
      const counted = <K extends keyof Store['proposals']>(name: K) => {
        const real = h.store.proposals[name] as (...args: unknown[]) => unknown
        return (...args: unknown[]) => {
          writes[name] = (writes[name] ?? 0) + 1
          return real.apply(h.store.proposals, args)
        }
      }
      const store: Store = Object.assign(Object.create(h.store) as Store, {
        proposals: {
          ...h.store.proposals,
          create: counted('create'),
          createWithAction: counted('createWithAction'),
          createEvaluated: counted('createEvaluated'),
          finishStep: counted('finishStep'),
        } as Store['proposals'],
      })
      return { engine: createEngine({ store, sandbox: h.sandbox, platforms: [h.platform], clock: h.clock }), writes }
    }

    const post = (engine: ReturnType<typeof createEngine>, text: string): Promise<ProposeOutcome> =>
      engine.propose({
        communityId: h.community.id,
        type: 'test.post',
        params: { text },
        initiatorId: null,
        origin: 'policykit',
      })

    async function messagesOf(actionId: number): Promise<string[]> {
      return (await h.store.logs.list(h.community.id, { actionId })).map((l) => l.message).sort()
    }

    it('writes the action, its pending proposal, its data and log lines in one commit, unleased', async () => {
      await h.policy({
        blocks: {
          initialize: `proposal.data.set('opened', proposal.number)`,
          check: `logger.info('checked #' + proposal.number + ' of action ' + action.id)
return proposal.getYesVotes().length >= 1 ? PASSED : PROPOSED`,
        },
      })
      const { engine, writes } = countingEngine()
      const outcome = await post(engine, 'one commit')
      assert.equal(outcome.status, 'proposed')
      assert.ok('proposal' in outcome && outcome.proposal)
      const { proposal, action } = outcome
      assert.deepEqual(writes, { createEvaluated: 1 }, 'one write: no lease to let go, nothing written after')
      assert.deepEqual(await h.store.proposals.get(h.community.id, proposal.id), proposal)
      assert.equal(proposal.notified, true)
      assert.deepEqual(proposal.data, { opened: proposal.number }, 'the block saw the number the proposal got')
      assert.deepEqual(await messagesOf(action.id), [
        'check returned proposed',
        `checked #${proposal.number} of action ${action.id}`,
      ])
      // Nothing holds it: a vote's re-check decides it at once.
      await h.role('Voter', ['vote'])
      const voter = await h.member('voter', ['Voter'])
      await engine.castVote(h.community.id, proposal.id, voter.id, { kind: 'boolean', value: true })
      assert.equal((await h.store.proposals.get(h.community.id, proposal.id))?.status, 'passed')
      assert.deepEqual(
        h.world.calls.map((c) => c.op),
        ['execute'],
      )
    })

    it('gives actions proposed at once their own numbers, each evaluated once', async () => {
      await h.policy({ blocks: { check: `logger.info('#' + proposal.number); return PROPOSED` } })
      const { engine } = countingEngine()
      const outcomes = await Promise.all(Array.from({ length: 8 }, (_, i) => post(engine, `at once ${i}`)))
      const numbers: number[] = []
      for (const outcome of outcomes) {
        assert.ok('proposal' in outcome && outcome.proposal)
        numbers.push(outcome.proposal.number)
        assert.deepEqual(await messagesOf(outcome.action.id), [
          `#${outcome.proposal.number}`,
          'check returned proposed',
        ])
      }
      assert.deepEqual(
        numbers.sort((a, b) => a - b),
        [1, 2, 3, 4, 5, 6, 7, 8],
      )
    })

    it('makes a platform call the check asks for once, on the written proposal, even when the block caught its refusal', async () => {
      await h.policy({
        blocks: {
          check: `try { test.postMessage('checked ' + proposal.number) } catch (e) { logger.info('caught') }
return PROPOSED`,
        },
      })
      const { engine } = countingEngine()
      const first = await post(engine, 'calls out')
      const second = await post(engine, 'calls out again')
      assert.ok('proposal' in first && first.proposal && 'proposal' in second && second.proposal)
      assert.deepEqual(
        h.world.messages.map((m) => [m.text, m.proposalId]),
        [
          [`checked ${first.proposal.number}`, first.proposal.id],
          [`checked ${second.proposal.number}`, second.proposal.id],
        ],
      )
      assert.deepEqual(
        await messagesOf(first.action.id),
        ['check returned proposed'],
        'nothing caught: the call was made',
      )
      assert.equal((await h.store.proposals.get(h.community.id, first.proposal.id))?.notified, true)
    })

    it('errors a proposal whose check raises once, its blocks run once, logging the error once, and moves on', async () => {
      await h.policy({ name: 'fallback', blocks: { check: 'return PASSED' } })
      await h.policy({
        name: 'throws',
        priority: 5,
        blocks: { check: `logger.info('counting'); throw new Error('no quorum table')` },
      })
      const { engine, writes } = countingEngine()
      const outcome = await post(engine, 'raises')
      assert.equal(outcome.status, 'passed')
      assert.equal(writes['createEvaluated'], 1, 'the errored proposal written as its first evaluation left it')
      assert.equal(writes['createWithAction'], undefined, 'never made the ordinary way, its blocks run again')
      const proposals = await h.store.proposals.list(h.community.id, { actionId: outcome.action.id })
      assert.deepEqual(proposals.map((p) => p.status).sort(), ['errored', 'passed'])
      const errored = proposals.find((p) => p.status === 'errored')
      assert.ok(errored)
      assert.deepEqual(
        (await h.store.logs.list(h.community.id, { proposalId: errored.id })).map((l) => l.message).sort(),
        ['counting', 'runtime error in check, line 1: no quorum table (moving on to the next eligible policy)'],
      )
      const errors = (await h.store.logs.list(h.community.id, { actionId: outcome.action.id })).filter(
        (l) => l.level === 'error',
      )
      assert.equal(errors.length, 1)
      assert.match(errors[0]?.message ?? '', /no quorum table/)
    })

    it('carries out a first check that decides once, its blocks run once, before anything was written', async () => {
      await h.policy({ blocks: { initialize: `proposal.data.set('opened', true)`, check: 'return PASSED' } })
      const { engine, writes } = countingEngine()
      const outcome = await post(engine, 'passes at once')
      assert.equal(outcome.status, 'passed')
      assert.ok('proposal' in outcome && outcome.proposal)
      assert.equal(outcome.proposal.status, 'passed', 'the proposal as the decision left it')
      assert.deepEqual(
        writes,
        { createEvaluated: 1, finishStep: 1 },
        'written with what its blocks wrote, then decided with its last log line: never made the ordinary way',
      )
      assert.deepEqual(
        h.world.calls.map((c) => c.op),
        ['execute'],
      )
      assert.deepEqual((await h.store.proposals.get(h.community.id, outcome.proposal.id))?.data, { opened: true })
      assert.deepEqual(await messagesOf(outcome.action.id), ['check returned passed', `proposal #1 passed`])
    })

    it('fails a first check that fails at once, its data and log lines kept, nothing executed', async () => {
      await h.policy({
        blocks: { check: `proposal.data.set('why', 'closed'); logger.info('no vote needed'); return FAILED` },
      })
      const { engine, writes } = countingEngine()
      const outcome = await post(engine, 'fails at once')
      assert.equal(outcome.status, 'failed')
      assert.ok('proposal' in outcome && outcome.proposal)
      assert.deepEqual(writes, { createEvaluated: 1, finishStep: 1 })
      assert.deepEqual(outcome.proposal.data, { why: 'closed' })
      assert.deepEqual(h.world.calls, [], 'a failed action made by PolicyKit is not carried out, nor reverted')
      assert.deepEqual(await messagesOf(outcome.action.id), [
        'check returned failed',
        'no vote needed',
        `proposal #${outcome.proposal.number} failed`,
      ])
    })
  })
}
