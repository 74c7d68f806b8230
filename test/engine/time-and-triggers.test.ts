import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { engineHarness, type EngineHarness } from '../support/engine-harness.ts'
import { testDialects } from '../support/test-store.ts'

const hour = 3_600_000

for (const dialect of testDialects()) {
  describe(`${dialect}: time limits, triggers and the sweep`, () => {
    let h: EngineHarness

    before(async () => {
      h = await engineHarness(dialect)
      await h.policy({
        name: 'expires after a day',
        blocks: {
          check: `
            if (proposal.getYesVotes().length >= 1) return PASSED
            if (proposal.getTimeElapsed() > 24 * 3600 * 1000) return FAILED`,
        },
      })
      await h.policy({
        name: 'announce events',
        kind: 'trigger',
        actionTypes: ['test.event'],
        blocks: {
          filter: `return action.severity === 'high'`,
          check: 'return PASSED',
          pass: `test.postMessage('event: ' + action.what + ' at ' + new Date().toISOString())`,
        },
      })
    })
    after(() => h.close())

    it('fails a proposal once its time limit passes, found by the sweep', async () => {
      const outcome = await h.engine.propose({
        communityId: h.community.id,
        type: 'test.post',
        params: { text: 'slow' },
        initiatorId: null,
        origin: 'policykit',
      })
      assert.ok('proposal' in outcome && outcome.proposal)
      h.clock.set(h.clock.now() + 23 * hour)
      assert.deepEqual(await h.engine.sweep(), { checked: 1 })
      assert.equal((await h.store.proposals.get(h.community.id, outcome.proposal.id))?.status, 'proposed')
      h.clock.set(h.clock.now() + 2 * hour)
      await h.engine.sweep()
      assert.equal((await h.store.proposals.get(h.community.id, outcome.proposal.id))?.status, 'failed')
      assert.deepEqual(await h.engine.sweep(), { checked: 0 })
    })

    it('runs trigger policies whose filter matches, storing only the triggers that matched', async () => {
      const before = (await h.store.actions.list(h.community.id)).length
      assert.deepEqual(
        await h.engine.trigger({
          communityId: h.community.id,
          type: 'test.event',
          data: { severity: 'low', what: 'noise' },
        }),
        [],
      )
      assert.equal((await h.store.actions.list(h.community.id)).length, before)

      const proposals = await h.engine.trigger({
        communityId: h.community.id,
        type: 'test.event',
        data: { severity: 'high', what: 'outage' },
      })
      assert.equal(proposals.length, 1)
      assert.equal(proposals[0]?.status, 'passed')
      const message = h.world.messages.at(-1)?.text
      assert.equal(message, `event: outage at ${new Date(h.clock.now()).toISOString()}`)
    })

    it('refuses an event of a type no platform declares', async () => {
      await assert.rejects(
        h.engine.trigger({ communityId: h.community.id, type: 'test.nonsense', data: {} }),
        /unknown trigger type 'test\.nonsense'/,
      )
    })
  })
}
