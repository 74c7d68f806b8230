import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Member } from '../../src/domain/member.ts'
import { engineHarness, type EngineHarness } from '../support/engine-harness.ts'
import { testDialects } from '../support/test-store.ts'

const votePolicy = {
  name: 'Posts need three yes votes',
  actionTypes: ['test.post'],
  blocks: {
    check: `
      const yes = proposal.getYesVotes().length
      const no = proposal.getNoVotes().length
      if (yes >= 3) return PASSED
      if (no >= 2) return FAILED
      return PROPOSED`,
    notify: `test.initiateVote({ text: 'Allow "' + action.text + '"?' })`,
    pass: `test.postMessage('passed, vote was ' + proposal.votePostId)`,
    fail: `test.postMessage('failed: ' + action.text)`,
  },
}

for (const dialect of testDialects()) {
  describe(`${dialect}: governing an action by a vote`, () => {
    let h: EngineHarness
    let author: Member
    let voters: Member[]

    before(async () => {
      h = await engineHarness(dialect)
      author = await h.member('author')
      await h.role('Voter', ['propose:*', 'vote'])
      voters = [await h.member('ann', ['Voter']), await h.member('bob', ['Voter']), await h.member('cy', ['Voter'])]
      await h.policy(votePolicy)
    })
    after(() => h.close())

    it('reverts a platform action, opens a vote, and re-executes it when the vote passes', async () => {
      const outcome = await h.engine.propose({
        communityId: h.community.id,
        type: 'test.post',
        params: { text: 'hello' },
        initiatorId: author.id,
        origin: 'platform',
        result: { postId: 'original' },
      })
      assert.equal(outcome.status, 'proposed')
      assert.ok('proposal' in outcome && outcome.proposal)
      const proposal = outcome.proposal
      assert.deepEqual(
        h.world.calls.map((c) => c.op),
        ['revert'],
      )
      assert.equal(h.world.votePosts.length, 1)
      assert.equal(h.world.votePosts[0]?.text, 'Allow "hello"?')
      assert.equal(proposal.votePostId, h.world.votePosts[0]?.postId)
      assert.equal(proposal.votePlatform, 'test')

      for (const voter of voters.slice(0, 2)) {
        await h.engine.castVote(h.community.id, proposal.id, voter.id, { kind: 'boolean', value: true })
      }
      assert.equal((await h.store.proposals.get(h.community.id, proposal.id))?.status, 'proposed')

      const third = voters[2]
      assert.ok(third)
      await h.engine.castVote(h.community.id, proposal.id, third.id, { kind: 'boolean', value: true })
      const decided = await h.store.proposals.get(h.community.id, proposal.id)
      assert.equal(decided?.status, 'passed')
      assert.deepEqual(
        h.world.calls.map((c) => c.op),
        ['revert', 'execute'],
      )
      assert.deepEqual([...h.world.posts.values()], [{ text: 'hello', channel: 'general' }])
      assert.deepEqual(
        h.world.messages.map((m) => m.text),
        [`passed, vote was ${proposal.votePostId}`],
      )
      const action = await h.store.actions.get(h.community.id, outcome.action.id)
      assert.equal(action?.executionState, 'executed')
    })

    it('keeps the action reverted and runs the fail block when the vote fails', async () => {
      h.world.calls.length = 0
      h.world.messages.length = 0
      const outcome = await h.engine.propose({
        communityId: h.community.id,
        type: 'test.post',
        params: { text: 'spam' },
        initiatorId: author.id,
        origin: 'platform',
      })
      assert.ok('proposal' in outcome && outcome.proposal)
      for (const voter of voters.slice(0, 2)) {
        await h.engine.castVote(h.community.id, outcome.proposal.id, voter.id, { kind: 'boolean', value: false })
      }
      assert.equal((await h.store.proposals.get(h.community.id, outcome.proposal.id))?.status, 'failed')
      assert.deepEqual(
        h.world.calls.map((c) => c.op),
        ['revert'],
      )
      assert.deepEqual(
        h.world.messages.map((m) => m.text),
        ['failed: spam'],
      )
      await assert.rejects(
        h.engine.castVote(h.community.id, outcome.proposal.id, author.id, { kind: 'boolean', value: true }),
        /voting on proposal \d+ is closed/,
      )
    })

    it('executes an action proposed in PolicyKit only when it passes', async () => {
      h.world.calls.length = 0
      const outcome = await h.engine.propose({
        communityId: h.community.id,
        type: 'test.post',
        params: { text: 'from the dashboard' },
        initiatorId: author.id,
        origin: 'policykit',
      })
      assert.ok('proposal' in outcome && outcome.proposal)
      assert.equal(h.world.calls.length, 0, 'nothing happens on the platform while it is pending')
      for (const voter of voters) {
        await h.engine.castVote(h.community.id, outcome.proposal.id, voter.id, { kind: 'boolean', value: true })
      }
      assert.deepEqual(
        h.world.calls.map((c) => [c.op, c.params['text']]),
        [['execute', 'from the dashboard']],
      )
    })

    it('counts one vote per member: a changed vote replaces the earlier one', async () => {
      const outcome = await h.engine.propose({
        communityId: h.community.id,
        type: 'test.post',
        params: { text: 'changing minds' },
        initiatorId: author.id,
        origin: 'policykit',
      })
      assert.ok('proposal' in outcome && outcome.proposal)
      const [ann] = voters
      assert.ok(ann)
      for (let i = 0; i < 3; i++) {
        await h.engine.castVote(h.community.id, outcome.proposal.id, ann.id, { kind: 'boolean', value: true })
      }
      await h.engine.castVote(h.community.id, outcome.proposal.id, ann.id, { kind: 'boolean', value: false })
      const votes = await h.store.votes.list(h.community.id, outcome.proposal.id)
      assert.deepEqual(
        votes.map((v) => v.value),
        [false],
      )
      assert.equal((await h.store.proposals.get(h.community.id, outcome.proposal.id))?.status, 'proposed')
    })

    it('rejects params that do not match the action type, naming the field', async () => {
      await assert.rejects(
        h.engine.propose({
          communityId: h.community.id,
          type: 'test.post',
          params: { text: 42 },
          initiatorId: author.id,
          origin: 'policykit',
        }),
        /test\.post: text: /,
      )
      await assert.rejects(
        h.engine.propose({
          communityId: h.community.id,
          type: 'test.nope',
          params: {},
          initiatorId: author.id,
          origin: 'policykit',
        }),
        /unknown action type 'test\.nope'/,
      )
    })

    it('treats a redelivered platform event as the same action', async () => {
      const input = {
        communityId: h.community.id,
        type: 'test.post',
        params: { text: 'twice' },
        initiatorId: author.id,
        origin: 'platform' as const,
        externalId: 'event-1',
      }
      const first = await h.engine.propose(input)
      const again = await h.engine.propose(input)
      assert.equal(again.status, 'duplicate')
      assert.equal(again.action.id, first.action.id)
      const proposals = await h.store.proposals.list(h.community.id, { actionId: first.action.id })
      assert.equal(proposals.length, 1)
    })
  })
}
