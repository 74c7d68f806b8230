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
  describe(`${dialect}: the democracy kit`, () => {
    let h: EngineHarness
    let voters: Member[]
    let observer: Member

    before(async () => {
      h = await engineHarness(dialect, { kit: 'democracy' })
      voters = [theCreator(h)]
      for (const name of ['ann', 'bob', 'cy', 'dee']) {
        voters.push(await h.member(name))
      }
      // A member whose only role lacks `vote`.
      await h.role('Observer', ['propose:*'])
      observer = await h.member('observer', ['Observer'])
    })
    after(() => h.close())

    const voter = (i: number): Member => {
      const member = voters[i]
      assert.ok(member)
      return member
    }

    it('passes as soon as a majority of all voters said yes', async () => {
      const post = await propose(h, voter(1), 'test.post', { text: 'picnic on Sunday' })
      assert.equal(post.status, 'proposed')
      const electorate = (await proposalOf(h, post)).data['voters']
      assert.deepEqual(
        electorate,
        voters.map((m) => m.id).sort((a, b) => a - b),
      )
      await refusedVote(h, post, observer)
      await vote(h, post, voter(0), true)
      await vote(h, post, voter(1), true)
      assert.equal(await statusOf(h, post), 'proposed', '2 of 5 is no majority yet')
      await vote(h, post, voter(2), true)
      assert.equal(await statusOf(h, post), 'passed')
      assert.equal(h.world.posts.size, 1)
    })

    it('fails as soon as yes can no longer win', async () => {
      const post = await propose(h, voter(2), 'test.post', { text: 'ban picnics' })
      for (const i of [0, 1]) {
        await vote(h, post, voter(i), false)
      }
      assert.equal(await statusOf(h, post), 'proposed')
      await vote(h, post, voter(3), false)
      assert.equal(await statusOf(h, post), 'failed')
    })

    it('decides by the votes cast when the time limit is reached', async () => {
      const change = await addPolicy(h, voter(3), 'Renames pass')
      await vote(h, change, voter(0), true)
      await vote(h, change, voter(1), true)
      await vote(h, change, voter(2), false)
      await later(h, 71 * hour)
      assert.equal(await statusOf(h, change), 'proposed', 'still open before 72 hours')
      await later(h, 1 * hour)
      assert.equal(await statusOf(h, change), 'passed')
      assert.ok((await policyNames(h)).includes('Renames pass'))
    })

    it('fails without a quorum when the time is up', async () => {
      const change = await addPolicy(h, voter(4), 'Quiet change')
      await vote(h, change, voter(4), true)
      await vote(h, change, voter(0), true)
      await later(h, 72 * hour)
      assert.equal(await statusOf(h, change), 'failed', '2 votes of a quorum of 3')
      assert.ok(!(await policyNames(h)).includes('Quiet change'))
    })

    it('keeps the electorate it started with', async () => {
      const post = await propose(h, voter(0), 'test.post', { text: 'newcomers welcome' })
      const newcomer = await h.member('newcomer')
      await refusedVote(h, post, newcomer)
      assert.equal((await proposalOf(h, post)).data['voters'] instanceof Array, true)
    })

    it('takes its quorum and time limit from the policy variables', async () => {
      const policy = (await h.store.policies.list(h.community.id)).find((p) => p.kind === 'platform')
      assert.ok(policy)
      await h.store.policies.update(
        h.community.id,
        policy.id,
        { variables: policy.variables.map((v) => ({ ...v, value: v.name === 'quorum' ? 1 : 1 })) },
        h.clock.now(),
      )
      const post = await propose(h, voter(1), 'test.post', { text: 'quick one' })
      await vote(h, post, voter(1), true)
      await later(h, 1 * hour)
      assert.equal(await statusOf(h, post), 'passed', 'one vote is a quorum, one hour the limit')
    })
  })
}
