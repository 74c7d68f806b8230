import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Member } from '../../src/domain/member.ts'
import type { Proposal } from '../../src/domain/proposal.ts'
import { isAppError } from '../../src/errors.ts'
import { engineHarness, type EngineHarness } from '../support/engine-harness.ts'
import { testDialects } from '../support/test-store.ts'

const yes = { kind: 'boolean', value: true } as const
const policyName = 'Posts wait for a vote'

for (const dialect of testDialects()) {
  describe(`${dialect}: who may vote (the engine's rule, whatever hosts the vote)`, () => {
    let h: EngineHarness
    let plain: Member
    let voter: Member
    let postVoter: Member
    let elsewhereVoter: Member

    /** A test.post put to a vote on the test platform, open to everyone. */
    async function proposeWithVote(): Promise<Proposal> {
      const outcome = await h.engine.propose({
        communityId: h.community.id,
        type: 'test.post',
        params: { text: 'hello' },
        initiatorId: plain.id,
        origin: 'policykit',
      })
      assert.ok('proposal' in outcome && outcome.proposal)
      assert.equal(outcome.proposal.votePlatform, 'test')
      assert.equal(outcome.proposal.eligibleVoters, null)
      return outcome.proposal
    }

    const voterIds = async (proposal: Proposal): Promise<number[]> =>
      (await h.store.votes.list(h.community.id, proposal.id)).map((v) => v.memberId).sort((a, b) => a - b)

    before(async () => {
      h = await engineHarness(dialect)
      await h.role('Voter', ['propose:*', 'vote'])
      await h.role('Votes on posts', ['propose:*', `vote:${policyName}`])
      await h.role('Votes elsewhere', ['propose:*', 'vote:Some other policy'])
      plain = await h.member('plain')
      voter = await h.member('voter', ['Voter'])
      postVoter = await h.member('post-voter', ['Votes on posts'])
      elsewhereVoter = await h.member('elsewhere', ['Votes elsewhere'])
      await h.policy({
        name: policyName,
        actionTypes: ['test.post'],
        blocks: {
          notify: `test.initiateVote({ text: 'ok?' })`,
          check: 'return proposal.getYesVotes().length >= 5 ? PASSED : PROPOSED',
        },
      })
    })
    after(() => h.close())

    it('refuses a member without the vote permission when the vote is open to everyone', async () => {
      const proposal = await proposeWithVote()
      for (const member of [plain, elsewhereVoter]) {
        await assert.rejects(
          h.engine.castVote(h.community.id, proposal.id, member.id, yes),
          (e) =>
            isAppError(e, 'forbidden') && e.message === `member ${member.id} may not vote on proposal ${proposal.id}`,
        )
      }
      assert.deepEqual(await voterIds(proposal), [], 'no vote is recorded')
    })

    it('takes the vote of a member holding vote, or vote:<name of the proposal’s policy>', async () => {
      const proposal = await proposeWithVote()
      await h.engine.castVote(h.community.id, proposal.id, voter.id, yes)
      await h.engine.castVote(h.community.id, proposal.id, postVoter.id, yes)
      assert.deepEqual(await voterIds(proposal), [voter.id, postVoter.id])
    })

    it('goes by the eligible list alone when the vote was opened for some members', async () => {
      const proposal = await proposeWithVote()
      await h.store.proposals.setEligibleVoters(h.community.id, proposal.id, [plain.id])
      await h.engine.castVote(h.community.id, proposal.id, plain.id, yes)
      await assert.rejects(h.engine.castVote(h.community.id, proposal.id, voter.id, yes), (e) =>
        isAppError(e, 'forbidden'),
      )
      assert.deepEqual(await voterIds(proposal), [plain.id])
    })
  })
}
