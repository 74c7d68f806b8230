import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, it } from 'node:test'
import type { Member } from '../../src/domain/member.ts'
import type { Proposal } from '../../src/domain/proposal.ts'
import { engineHarness, type EngineHarness } from '../support/engine-harness.ts'
import { testDialects } from '../support/test-store.ts'

const hour = 3_600_000
const yes = { kind: 'boolean', value: true } as const

for (const dialect of testDialects()) {
  describe(`${dialect}: telling the vote's host that the proposal is decided`, () => {
    let h: EngineHarness
    let voters: Member[]

    /** Proposes a test.post; the policy opens a vote on the test platform unless the text says not to. */
    async function propose(text: string): Promise<Proposal | undefined> {
      const outcome = await h.engine.propose({
        communityId: h.community.id,
        type: 'test.post',
        params: { text },
        initiatorId: null,
        origin: 'policykit',
      })
      return 'proposal' in outcome ? outcome.proposal : undefined
    }

    async function status(proposal: Proposal): Promise<string | undefined> {
      return (await h.store.proposals.get(h.community.id, proposal.id))?.status
    }

    before(async () => {
      h = await engineHarness(dialect)
      await h.role('Voter', ['propose:*', 'vote'])
      voters = [await h.member('ann', ['Voter']), await h.member('bob', ['Voter'])]
      await h.policy({
        name: 'two yes votes within the hour',
        actionTypes: ['test.post'],
        blocks: {
          check: `
            if (action.text === 'at once') return PASSED
            if (proposal.getYesVotes().length >= 2) return PASSED
            if (proposal.getTimeElapsed() > 3600 * 1000) return FAILED
            return PROPOSED`,
          notify: `
            if (action.text !== 'no vote') test.initiateVote({ text: 'Allow ' + action.text + '?' })
            if (action.text === 'boom') throw new Error('broke after opening the vote')`,
        },
      })
    })
    beforeEach(() => {
      h.world.closedVotes.length = 0
      h.world.closeVoteFails = false
    })
    after(() => h.close())

    it('calls onVoteClosed once when a vote decides the proposal', async () => {
      const proposal = await propose('by vote')
      assert.ok(proposal?.votePostId)
      await h.engine.castVote(h.community.id, proposal.id, voters[0]?.id ?? 0, yes)
      assert.deepEqual(h.world.closedVotes, [], 'still open')
      await h.engine.castVote(h.community.id, proposal.id, voters[1]?.id ?? 0, yes)
      assert.equal(await status(proposal), 'passed')
      assert.deepEqual(h.world.closedVotes, [
        { proposalId: proposal.id, status: 'passed', postId: proposal.votePostId },
      ])
      // Later re-checks of a decided proposal tell nobody again.
      assert.equal(await h.engine.recheck(h.community.id, proposal.id), 'closed')
      await h.engine.sweep()
      assert.equal(h.world.closedVotes.length, 1)
    })

    it('calls it once when the time limit decides it, found by the sweep', async () => {
      const proposal = await propose('by time')
      assert.ok(proposal?.votePostId)
      h.clock.set(h.clock.now() + 2 * hour)
      await h.engine.sweep()
      assert.equal(await status(proposal), 'failed')
      h.clock.set(h.clock.now() + 2 * hour)
      await h.engine.sweep()
      assert.deepEqual(h.world.closedVotes, [
        { proposalId: proposal.id, status: 'failed', postId: proposal.votePostId },
      ])
    })

    it('keeps the decision and carries it out when the hook throws', async () => {
      h.world.closeVoteFails = true
      const proposal = await propose('hook fails')
      assert.ok(proposal)
      for (const voter of voters) {
        await h.engine.castVote(h.community.id, proposal.id, voter.id, yes)
      }
      assert.equal(await status(proposal), 'passed')
      assert.equal(h.world.closedVotes.length, 1)
      const action = await h.store.actions.get(h.community.id, proposal.actionId)
      assert.equal(action?.executionState, 'executed')
      assert.ok([...h.world.posts.values()].some((p) => p.text === 'hook fails'))
    })

    it('calls it when the policy errs after opening the vote, and not without a vote', async () => {
      const before = h.world.votePosts.length
      assert.equal(await propose('boom'), undefined, 'errored: no other policy governs it')
      const opened = h.world.votePosts[before]
      assert.ok(opened)
      assert.deepEqual(h.world.closedVotes, [
        { proposalId: opened.proposalId, status: 'errored', postId: opened.postId },
      ])

      h.world.closedVotes.length = 0
      const atOnce = await propose('at once')
      assert.equal(atOnce?.status, 'passed')
      const noVote = await propose('no vote')
      assert.ok(noVote)
      h.clock.set(h.clock.now() + 2 * hour)
      await h.engine.sweep()
      assert.equal(await status(noVote), 'failed')
      assert.deepEqual(h.world.closedVotes, [])
    })
  })
}
