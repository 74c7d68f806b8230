import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { engineHarness, type EngineHarness } from '../support/engine-harness.ts'
import { testDialects } from '../support/test-store.ts'

for (const dialect of testDialects()) {
  describe(`${dialect}: what the engine keeps of a community`, () => {
    let h: EngineHarness

    before(async () => {
      h = await engineHarness(dialect)
      await h.policy({
        name: 'the trusted pass',
        blocks: { check: "return action.initiator.roles.includes('Trusted') ? PASSED : PROPOSED" },
      })
    })
    after(() => h.close())

    it('gives a re-check the roles its initiator has now, not those kept from the evaluation before', async () => {
      const trusted = await h.role('Trusted', [])
      const newcomer = await h.member('newcomer')
      const outcome = await h.engine.propose({
        communityId: h.community.id,
        type: 'test.post',
        params: { text: 'hello' },
        initiatorId: newcomer.id,
        origin: 'policykit',
      })
      assert.ok('proposal' in outcome && outcome.proposal)
      const { id } = outcome.proposal
      await h.engine.recheck(h.community.id, id)
      assert.equal((await h.store.proposals.get(h.community.id, id))?.status, 'proposed')

      // Given the role behind the engine's back, as another process would.
      await h.store.roles.assign(h.community.id, newcomer.id, trusted.id)
      await h.engine.recheck(h.community.id, id)
      assert.equal((await h.store.proposals.get(h.community.id, id))?.status, 'passed')
    })
  })
}
