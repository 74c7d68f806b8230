import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Member } from '../../src/domain/member.ts'
import type { Proposal } from '../../src/domain/proposal.ts'
import { engineHarness, type EngineHarness } from '../support/engine-harness.ts'
import { testDialects } from '../support/test-store.ts'

const yes = { kind: 'boolean', value: true } as const
const no = { kind: 'boolean', value: false } as const

for (const dialect of testDialects()) {
  describe(`${dialect}: withdrawing a vote (every vote host's way back, through the engine)`, () => {
    let h: EngineHarness
    let voter: Member

    async function propose(): Promise<Proposal> {
      const outcome = await h.engine.propose({
        communityId: h.community.id,
        type: 'test.post',
        params: { text: 'hello' },
        initiatorId: voter.id,
        origin: 'policykit',
      })
      assert.ok('proposal' in outcome && outcome.proposal)
      return outcome.proposal
    }

    const votesOf = async (proposal: Proposal) => h.store.votes.list(h.community.id, proposal.id)
    const counted = async (proposal: Proposal) =>
      (await h.store.logs.list(h.community.id, { proposalId: proposal.id }))
        .map((l) => l.message)
        .filter((m) => m.startsWith('votes: '))

    before(async () => {
      h = await engineHarness(dialect)
      await h.role('Voter', ['propose:*', 'vote'])
      voter = await h.member('voter', ['Voter'])
      await h.policy({
        name: 'Posts wait for a vote',
        actionTypes: ['test.post'],
        blocks: { check: "logger.info('votes: ' + proposal.getAllVotes().length); return PROPOSED" },
      })
    })
    after(() => h.close())

    it('takes the vote back and re-checks the proposal at once', async () => {
      const proposal = await propose()
      await h.engine.castVote(h.community.id, proposal.id, voter.id, yes)
      assert.equal(await h.engine.withdrawVote(h.community.id, proposal.id, voter.id, yes), true)
      assert.deepEqual(await votesOf(proposal), [])
      assert.deepEqual((await counted(proposal)).slice(-2), ['votes: 1', 'votes: 0'])
    })

    it('keeps a vote that is no longer the one withdrawn (moved since), and one on a decided proposal', async () => {
      const proposal = await propose()
      await h.engine.castVote(h.community.id, proposal.id, voter.id, yes)
      await h.engine.castVote(h.community.id, proposal.id, voter.id, no)
      assert.equal(await h.engine.withdrawVote(h.community.id, proposal.id, voter.id, yes), false)
      assert.equal((await votesOf(proposal)).length, 1)

      await h.store.proposals.decide(h.community.id, proposal.id, 'failed', h.clock.now())
      assert.equal(await h.engine.withdrawVote(h.community.id, proposal.id, voter.id, no), false)
      assert.equal((await votesOf(proposal)).length, 1, 'a decided proposal keeps its votes')
    })
  })
}
