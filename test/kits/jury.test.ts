import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Member } from '../../src/domain/member.ts'
import type { Proposal } from '../../src/domain/proposal.ts'
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

async function community(h: EngineHarness): Promise<Member[]> {
  const members = [theCreator(h)]
  for (const name of ['ann', 'bob', 'cy', 'dee', 'eve']) {
    members.push(await h.member(name))
  }
  return members
}

for (const dialect of testDialects()) {
  describe(`${dialect}: the jury kit`, () => {
    let h: EngineHarness
    let members: Member[]

    before(async () => {
      h = await engineHarness(dialect, { kit: 'jury' })
      members = await community(h)
    })
    after(() => h.close())

    const proposer = (): Member => {
      const member = members[1]
      assert.ok(member)
      return member
    }

    /** The jury drawn for the proposal, and the members left out of it. */
    async function jury(proposal: Proposal): Promise<{ jurors: Member[]; others: Member[] }> {
      const ids = (await proposalOf(h, proposal)).data['jury']
      assert.ok(Array.isArray(ids))
      return {
        jurors: members.filter((m) => ids.includes(m.id)),
        others: members.filter((m) => !ids.includes(m.id)),
      }
    }

    it('draws a jury of three without the proposer, and only the jury may vote', async () => {
      const post = await propose(h, proposer(), 'test.post', { text: 'jury, please' })
      assert.equal(post.status, 'proposed')
      const { jurors, others } = await jury(post)
      assert.equal(jurors.length, 3)
      assert.ok(!jurors.some((m) => m.id === proposer().id))
      assert.deepEqual((await proposalOf(h, post)).eligibleVoters?.sort(), jurors.map((m) => m.id).sort())
      for (const outsider of others) {
        await refusedVote(h, post, outsider)
      }
      const [first, second] = jurors
      assert.ok(first && second)
      await vote(h, post, first, true)
      assert.equal(await statusOf(h, post), 'proposed')
      assert.deepEqual((await jury(post)).jurors, jurors, 'the jury is drawn once')
      await vote(h, post, second, true)
      assert.equal(await statusOf(h, post), 'passed')
      assert.equal(h.world.posts.size, 1)
    })

    it('fails when a majority of the jury says no', async () => {
      const change = await addPolicy(h, proposer(), 'Jury-made')
      const [first, second] = (await jury(change)).jurors
      assert.ok(first && second)
      await vote(h, change, first, false)
      await vote(h, change, second, false)
      assert.equal(await statusOf(h, change), 'failed')
      assert.ok(!(await policyNames(h)).includes('Jury-made'))
    })

    it('passes a constitution change the jury approves', async () => {
      const change = await addPolicy(h, proposer(), 'Approved by jury')
      for (const juror of (await jury(change)).jurors.slice(0, 2)) {
        await vote(h, change, juror, true)
      }
      assert.equal(await statusOf(h, change), 'passed')
      assert.ok((await policyNames(h)).includes('Approved by jury'))
    })

    it('fails when the jury reaches no majority within 48 hours', async () => {
      const post = await propose(h, proposer(), 'test.post', { text: 'undecided' })
      const [first, second] = (await jury(post)).jurors
      assert.ok(first && second)
      await vote(h, post, first, true)
      await vote(h, post, second, false)
      await later(h, 47 * hour)
      assert.equal(await statusOf(h, post), 'proposed')
      await later(h, 1 * hour)
      assert.equal(await statusOf(h, post), 'failed')
    })
  })
}

describe('the jury draw', () => {
  it('is the same when the same community replays the same history', async () => {
    const draws: unknown[] = []
    for (let run = 0; run < 2; run++) {
      const h = await engineHarness('sqlite', { kit: 'jury' })
      try {
        const members = await community(h)
        const author = members[2]
        assert.ok(author)
        const proposals = [
          await propose(h, author, 'test.post', { text: 'one' }),
          await propose(h, author, 'test.post', { text: 'two' }),
        ]
        draws.push(await Promise.all(proposals.map(async (p) => (await proposalOf(h, p)).data['jury'])))
      } finally {
        await h.close()
      }
    }
    assert.deepEqual(draws[0], draws[1])
  })
})
