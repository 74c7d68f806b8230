import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Member } from '../../src/domain/member.ts'
import { engineHarness, type EngineHarness } from '../support/engine-harness.ts'
import { testDialects } from '../support/test-store.ts'
import {
  addPolicy,
  hour,
  later,
  policyNames,
  proposalOf,
  propose,
  refusedVote,
  statusOf,
  theCreator,
  vote,
} from './kit-scenario.ts'

for (const dialect of testDialects()) {
  describe(`${dialect}: the dictator kit`, () => {
    let h: EngineHarness
    let dictator: Member
    let subject: Member
    let other: Member

    before(async () => {
      h = await engineHarness(dialect, { kit: 'dictator' })
      dictator = theCreator(h)
      subject = await h.member('subject')
      other = await h.member('other')
    })
    after(() => h.close())

    it("passes the dictator's own actions at once", async () => {
      const post = await propose(h, dictator, 'test.post', { text: 'decree' })
      assert.equal(post.status, 'passed')
      assert.equal(await statusOf(h, await addPolicy(h, dictator, 'Decreed')), 'passed')
      assert.ok((await policyNames(h)).includes('Decreed'))
    })

    it("holds others' actions for the dictator alone to approve, however long it takes", async () => {
      h.world.calls.length = 0
      const post = await propose(h, subject, 'test.post', { text: 'please' }, 'platform')
      assert.equal(post.status, 'proposed')
      assert.deepEqual(
        h.world.calls.map((c) => c.op),
        ['revert'],
        'a platform action waiting for approval is undone meanwhile',
      )
      assert.deepEqual((await proposalOf(h, post)).eligibleVoters, [dictator.id])
      await refusedVote(h, post, other)
      await refusedVote(h, post, subject)
      await later(h, 30 * 24 * hour)
      assert.equal(await statusOf(h, post), 'proposed', 'the dictator has no deadline')

      await vote(h, post, dictator, true)
      assert.equal(await statusOf(h, post), 'passed')
      assert.deepEqual(
        h.world.calls.map((c) => c.op),
        ['revert', 'execute'],
      )
    })

    it("fails a constitution change on the dictator's no", async () => {
      const change = await addPolicy(h, subject, 'Power to the people')
      assert.equal(change.status, 'proposed')
      await vote(h, change, dictator, false)
      assert.equal(await statusOf(h, change), 'failed')
      assert.ok(!(await policyNames(h)).includes('Power to the people'))
    })
  })
}
