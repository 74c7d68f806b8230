import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Member } from '../../src/domain/member.ts'
import { engineHarness, type EngineHarness } from '../support/engine-harness.ts'
import { testDialects } from '../support/test-store.ts'

for (const dialect of testDialects()) {
  describe(`${dialect}: a community's sweep interval`, () => {
    let h: EngineHarness
    let admin: Member

    before(async () => {
      h = await engineHarness(dialect)
      await h.role('Admin', ['propose:*', 'execute:constitution.*'])
      admin = await h.member('admin', ['Admin'])
      await h.policy({ name: 'wait', actionTypes: ['test.post'], blocks: { check: 'return PROPOSED' } })
      await h.engine.propose({
        communityId: h.community.id,
        type: 'test.post',
        params: { text: 'pending' },
        initiatorId: admin.id,
        origin: 'policykit',
      })
      // A second community that sets no interval: swept every time.
      const other = await h.store.communities.create({ name: 'Other', now: h.clock.now() })
      await h.store.roles.create(other.id, { name: 'Everyone', permissions: ['propose:*'], isDefault: true })
      await h.store.policies.create(
        other.id,
        {
          name: 'wait',
          description: '',
          kind: 'platform',
          actionTypes: [],
          priority: 0,
          variables: [],
          blocks: { filter: '', initialize: '', check: 'return PROPOSED', notify: '', pass: '', fail: '' },
        },
        h.clock.now(),
      )
      await h.engine.propose({
        communityId: other.id,
        type: 'test.post',
        params: { text: 'pending elsewhere' },
        initiatorId: null,
        origin: 'policykit',
      })
    })
    after(() => h.close())

    it('re-checks a community with sweepSeconds only once that much time has passed', async () => {
      const outcome = await h.constitution('changeSettings', { sweepSeconds: 300 }, admin.id)
      assert.equal(outcome.status, 'executed')

      assert.deepEqual(await h.engine.sweep(), { checked: 2 }, 'first sweep: both communities')
      await h.clock.advance(60_000)
      assert.deepEqual(await h.engine.sweep(), { checked: 1 }, 'a minute later: only the other community')
      await h.clock.advance(239_000)
      assert.deepEqual(await h.engine.sweep(), { checked: 1 }, '299 s after the first: still only the other')
      await h.clock.advance(1_000)
      assert.deepEqual(await h.engine.sweep(), { checked: 2 }, '300 s after the first: both again')
    })

    it('goes back to every sweep when the setting is cleared', async () => {
      await h.constitution('changeSettings', { sweepSeconds: null }, admin.id)
      await h.clock.advance(1_000)
      assert.deepEqual(await h.engine.sweep(), { checked: 2 })
      assert.deepEqual(await h.engine.sweep(), { checked: 2 })
    })
  })

  describe(`${dialect}: a community's sweep interval, with several of its proposals pending`, () => {
    let h: EngineHarness

    before(async () => {
      h = await engineHarness(dialect)
      await h.role('Admin', ['propose:*', 'execute:constitution.*'])
      const admin = await h.member('admin', ['Admin'])
      await h.policy({ name: 'wait', actionTypes: ['test.post'], blocks: { check: 'return PROPOSED' } })
      assert.equal((await h.constitution('changeSettings', { sweepSeconds: 300 }, admin.id)).status, 'executed')
      for (const text of ['one', 'two', 'three']) {
        await h.engine.propose({
          communityId: h.community.id,
          type: 'test.post',
          params: { text },
          initiatorId: admin.id,
          origin: 'policykit',
        })
      }
    })
    after(() => h.close())

    it('re-checks every one of them when the community is due, however many at a time the sweep takes', async () => {
      assert.deepEqual(await h.engine.sweep(), { checked: 3 })
      assert.deepEqual(await h.engine.sweep(), { checked: 0 }, 'not due again yet')
    })
  })
}
