import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import type { Member } from '../../src/domain/member.ts'
import { defaultLeaseMs } from '../../src/engine/engine.ts'
import { performJob, type EngineRuntime } from '../../src/engine-runtime.ts'
import { engineHarness, startEngineRuntime, type EngineHarness } from '../support/engine-harness.ts'
import { testDialects } from '../support/test-store.ts'

const minute = 60_000

for (const dialect of testDialects()) {
  describe(`${dialect}: the engine on the durable job queue`, () => {
    let h: EngineHarness
    let runtime: EngineRuntime
    let voters: Member[]

    beforeEach(async () => {
      h = await engineHarness(dialect)
      runtime = await startEngineRuntime(h)
      await h.role('Voter', ['propose:*', 'vote'])
      voters = [await h.member('a', ['Voter']), await h.member('b', ['Voter'])]
      await h.policy({
        name: 'two yes, or fail after an hour',
        blocks: {
          check: `
            if (proposal.getYesVotes().length >= 2) return PASSED
            if (proposal.getTimeElapsed() > 3600 * 1000) return FAILED`,
        },
      })
    })
    afterEach(async () => {
      await runtime.stop()
      await h.close()
    })

    const proposePost = (text: string) => h.post(text, runtime.engine)

    const status = async (proposalId: number) => (await h.store.proposals.get(h.community.id, proposalId))?.status

    it('decides when the deciding vote arrives, without waiting for the sweep', async () => {
      const proposal = await proposePost('vote me in')
      for (const voter of voters) {
        await runtime.engine.castVote(h.community.id, proposal.id, voter.id, { kind: 'boolean', value: true })
      }
      await h.clock.settle() // the re-check job runs; the clock has not moved
      assert.equal(await status(proposal.id), 'passed')
      assert.deepEqual(
        h.world.calls.map((c) => c.op),
        ['execute'],
      )
    })

    it('finds time limits with the periodic sweep', async () => {
      const proposal = await proposePost('too slow')
      await h.clock.advance(59 * minute)
      assert.equal(await status(proposal.id), 'proposed')
      await h.clock.advance(2 * minute)
      assert.equal(await status(proposal.id), 'failed')
    })

    it('retries an execution the platform cannot take now, and executes it once', async () => {
      const proposal = await proposePost('during an outage')
      h.world.unavailable = 2
      for (const voter of voters) {
        await runtime.engine.castVote(h.community.id, proposal.id, voter.id, { kind: 'boolean', value: true })
      }
      await h.clock.settle()
      assert.equal(await status(proposal.id), 'passed')
      assert.equal(h.world.calls.length, 0, 'nothing executed yet')
      const action = await h.store.actions.get(h.community.id, proposal.actionId)
      assert.equal(action?.executionState, 'none')

      await h.clock.advance(10 * minute)
      assert.equal(h.world.unavailable, 0)
      assert.deepEqual(
        h.world.calls.map((c) => [c.op, c.params['text']]),
        [['execute', 'during an outage']],
      )
      assert.equal((await h.store.actions.get(h.community.id, proposal.actionId))?.executionState, 'executed')
    })

    it('has the heartbeat retry, through the queue and within the lease, an execution a crash left claimed', async () => {
      const proposal = await proposePost('interrupted')
      // As if the process died between the platform call and writing its outcome.
      await h.store.actions.claimExecution(h.community.id, proposal.actionId, ['none'], 'executing', h.clock.now())
      for (const voter of voters) {
        await runtime.engine.castVote(h.community.id, proposal.id, voter.id, { kind: 'boolean', value: true })
      }
      await h.clock.settle()
      assert.equal(await status(proposal.id), 'passed')
      await h.clock.advance(defaultLeaseMs - 1000)
      assert.equal(h.world.calls.length, 0, 'a claim this fresh is left alone')

      // Taken over by the first heartbeat after the lease ran out (a heartbeat is a third of it).
      await h.clock.advance(1000 + defaultLeaseMs / 3)
      assert.deepEqual(
        h.world.calls.map((c) => [c.op, c.params['text']]),
        [['execute', 'interrupted']],
      )
      assert.equal((await h.store.actions.get(h.community.id, proposal.actionId))?.executionState, 'executed')
    })

    it('queues one retry of an interrupted claim however many sweeps find it', async () => {
      const proposal = await proposePost('found twice')
      await h.store.actions.claimExecution(h.community.id, proposal.actionId, ['none'], 'executing', h.clock.now())
      await runtime.stop() // the queue runs nothing: the retry waits as it would in a busy queue
      h.clock.set(h.clock.now() + defaultLeaseMs + 1000)
      await runtime.engine.sweep()
      await runtime.engine.sweep()
      const queued = await h.store.db
        .selectFrom('jobs')
        .select('id')
        .where('name', '=', performJob)
        .where('state', '=', 'queued')
        .execute()
      assert.equal(queued.length, 1)
    })

    it('keeps queued work across a restart', async () => {
      const proposal = await proposePost('survives')
      await runtime.stop()
      for (const voter of voters) {
        await h.store.votes.cast(h.community.id, {
          proposalId: proposal.id,
          memberId: voter.id,
          vote: { kind: 'boolean', value: true },
          now: h.clock.now(),
        })
      }
      await runtime.scheduler.recheck(h.community.id, proposal.id)
      assert.equal(await status(proposal.id), 'proposed', 'nobody works while stopped')

      runtime = await startEngineRuntime(h)
      await h.clock.settle()
      assert.equal(await status(proposal.id), 'passed')
    })
  })
}
