import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Member } from '../../src/domain/member.ts'
import { engineHarness, type EngineHarness } from '../support/engine-harness.ts'
import { testDialects } from '../support/test-store.ts'
import { addPolicy, policyNames, proposalOf, propose, refusedVote, statusOf, theCreator, vote } from './kit-scenario.ts'

for (const dialect of testDialects()) {
  describe(`${dialect}: the moderators kit`, () => {
    let h: EngineHarness
    let creator: Member
    let mod: Member
    let ann: Member
    let bob: Member

    before(async () => {
      h = await engineHarness(dialect, { kit: 'moderators' })
      creator = theCreator(h)
      mod = await h.member('mod', ['Moderator'])
      ann = await h.member('ann')
      bob = await h.member('bob')
    })
    after(() => h.close())

    it("passes moderators' actions at once", async () => {
      const rename = await propose(h, mod, 'test.rename', { channel: 'general', name: 'town-square' })
      assert.equal(rename.status, 'passed')
      assert.equal(h.world.channelNames.get('general'), 'town-square')
    })

    it("passes a member's post on one moderator's yes; other members cannot vote", async () => {
      const post = await propose(h, ann, 'test.post', { text: 'hi all' })
      assert.equal(post.status, 'proposed')
      assert.equal(h.world.posts.size, 0)
      assert.deepEqual((await proposalOf(h, post)).eligibleVoters?.sort(), [creator.id, mod.id].sort())
      await refusedVote(h, post, bob)
      await vote(h, post, mod, true)
      assert.equal(await statusOf(h, post), 'passed')
      assert.deepEqual([...h.world.posts.values()], [{ text: 'hi all', channel: 'general' }])
    })

    it("fails a member's action on one moderator's no", async () => {
      const change = await addPolicy(h, bob, 'Bob rules')
      assert.equal(change.status, 'proposed')
      await vote(h, change, creator, false)
      assert.equal(await statusOf(h, change), 'failed')
      assert.ok(!(await policyNames(h)).includes('Bob rules'))
    })

    it('fixes the electorate when the vote opens: a moderator made later votes on later items', async () => {
      const change = await addPolicy(h, ann, 'Ann helps')
      const role = await h.store.roles.getByName(h.community.id, 'Moderator')
      assert.ok(role)
      await h.store.roles.assign(h.community.id, bob.id, role.id)
      await assert.rejects(vote(h, change, bob, true), (e: Error & { code?: string }) => e.code === 'forbidden')
      assert.equal(await statusOf(h, change), 'proposed')
      await vote(h, change, creator, true)
      assert.equal(await statusOf(h, change), 'passed')
      assert.ok((await policyNames(h)).includes('Ann helps'))

      const next = await addPolicy(h, ann, 'Ann helps again')
      await vote(h, next, bob, true)
      assert.equal(await statusOf(h, next), 'passed')
    })
  })
}
