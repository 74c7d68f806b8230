import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Member } from '../../src/domain/member.ts'
import { engineHarness, type EngineHarness } from '../support/engine-harness.ts'
import { testDialects } from '../support/test-store.ts'

for (const dialect of testDialects()) {
  describe(`${dialect}: permissions`, () => {
    let h: EngineHarness
    let guest: Member
    let admin: Member
    let member: Member

    before(async () => {
      h = await engineHarness(dialect)
      await h.role('Guest', [])
      await h.role('Admin', ['execute:test.*'])
      guest = await h.member('guest', ['Guest'])
      admin = await h.member('admin', ['Admin'])
      member = await h.member('member')
      await h.policy({ name: 'wait', blocks: { check: 'return PROPOSED' } })
      await h.policy({
        name: 'react to executed posts',
        kind: 'trigger',
        actionTypes: ['test.post.executed'],
        blocks: { check: 'return PASSED', pass: `proposal.data.set('saw', action.text)` },
      })
    })
    after(() => h.close())

    it('reverts a platform action at once when the initiator may not propose it', async () => {
      const outcome = await h.engine.propose({
        communityId: h.community.id,
        type: 'test.rename',
        params: { channel: 'c1', name: 'renamed' },
        initiatorId: guest.id,
        origin: 'platform',
        result: { previousName: 'general' },
      })
      assert.equal(outcome.status, 'forbidden')
      assert.equal(h.world.channelNames.get('c1'), 'general')
      assert.equal((await h.store.proposals.list(h.community.id, { actionId: outcome.action.id })).length, 0)
      const logs = await h.store.logs.list(h.community.id, { actionId: outcome.action.id })
      assert.ok(logs.some((l) => /may not propose test\.rename/.test(l.message)))
    })

    it('refuses a PolicyKit proposal from someone without permission, saving nothing', async () => {
      const before = await h.store.actions.list(h.community.id)
      await assert.rejects(
        h.engine.propose({
          communityId: h.community.id,
          type: 'test.post',
          params: { text: 'x' },
          initiatorId: guest.id,
          origin: 'policykit',
        }),
        (e: Error & { code?: string }) => e.code === 'forbidden',
      )
      assert.equal((await h.store.actions.list(h.community.id)).length, before.length)
    })

    it('executes at once, without a proposal, for a holder of execute, and emits the trigger', async () => {
      const outcome = await h.engine.propose({
        communityId: h.community.id,
        type: 'test.post',
        params: { text: 'by decree' },
        initiatorId: admin.id,
        origin: 'policykit',
      })
      assert.equal(outcome.status, 'executed')
      assert.equal(outcome.action.executionState, 'executed')
      assert.deepEqual(
        [...h.world.posts.values()].map((p) => p.text),
        ['by decree'],
      )
      assert.equal((await h.store.proposals.list(h.community.id, { actionId: outcome.action.id })).length, 0)
      const triggered = await h.store.proposals.list(h.community.id, { status: 'passed' })
      assert.equal(triggered.length, 1)
      assert.equal(triggered[0]?.data['saw'], 'by decree', 'the trigger policy sees the governed action')
    })

    it('refuses an initiator who is not a member of the community', async () => {
      await assert.rejects(
        h.engine.propose({
          communityId: h.community.id,
          type: 'test.post',
          params: { text: 'who am I' },
          initiatorId: 9999,
          origin: 'platform',
        }),
        (e: Error & { code?: string }) => e.code === 'not_found' && /member 9999 not found/.test(e.message),
      )
    })

    it('gives a member with no role the default role', async () => {
      const outcome = await h.engine.propose({
        communityId: h.community.id,
        type: 'test.post',
        params: { text: 'ordinary' },
        initiatorId: member.id,
        origin: 'policykit',
      })
      assert.equal(outcome.status, 'proposed')
    })
    it("sees a role's permissions changed, or a role given, behind its back (by another process, say) at the next proposal", async () => {
      const propose = (initiatorId: number) =>
        h.engine.propose({
          communityId: h.community.id,
          type: 'test.post',
          params: { text: 'again' },
          initiatorId,
          origin: 'policykit',
        })
      const grower = await h.member('grower', ['Guest'])
      await assert.rejects(propose(grower.id), (e: Error & { code?: string }) => e.code === 'forbidden')
      // Straight into the database, not through the engine, as another process would.
      const guestRole = await h.store.roles.getByName(h.community.id, 'Guest')
      assert.ok(guestRole)
      await h.store.roles.update(h.community.id, guestRole.id, { permissions: ['propose:test.post'] })
      assert.equal((await propose(grower.id)).status, 'proposed')
      const adminRole = await h.store.roles.getByName(h.community.id, 'Admin')
      assert.ok(adminRole)
      await h.store.roles.assign(h.community.id, grower.id, adminRole.id)
      assert.equal((await propose(grower.id)).status, 'executed')
      await h.store.roles.update(h.community.id, guestRole.id, { permissions: [] })
      await h.store.roles.unassign(h.community.id, grower.id, adminRole.id)
      await assert.rejects(propose(grower.id), (e: Error & { code?: string }) => e.code === 'forbidden')
    })
  })
}
