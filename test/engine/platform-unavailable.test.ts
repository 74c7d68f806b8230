import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import type { Member } from '../../src/domain/member.ts'
import { slowServerRetryMs, unavailableRetryMs } from '../../src/engine/evaluate-proposal.ts'
import type { EngineRuntime } from '../../src/engine-runtime.ts'
import { engineHarness, startEngineRuntime, type EngineHarness } from '../support/engine-harness.ts'
import { testDialects } from '../support/test-store.ts'

const minute = 60_000

/**
 * A platform that cannot serve a policy's call now (a 429, an outage) is not the policy's fault:
 * the evaluation step is tried again once the platform's wait is over, never counted as the
 * policy's error (which would hand the action to the next policy, or let it through).
 */
for (const dialect of testDialects()) {
  describe(`${dialect}: a platform unavailable inside a policy's block`, () => {
    let h: EngineHarness
    let runtime: EngineRuntime
    let author: Member
    let voter: Member

    beforeEach(async () => {
      h = await engineHarness(dialect)
      // Sweeps far apart: what retries the step is its own re-check, not the sweep.
      runtime = await startEngineRuntime(h, { sweepIntervalMs: 10 * minute })
      await h.role('Voter', ['propose:*', 'vote'])
      author = await h.member('author', ['Voter'])
      voter = await h.member('voter', ['Voter'])
      // Would let everything through if the vote policy's evaluation counted as errored.
      await h.policy({ name: 'let it be', blocks: { check: 'return PASSED' } })
      await h.policy({
        name: 'vote on posts',
        blocks: {
          initialize: `proposal.data.set('starts', (proposal.data.get('starts') ?? 0) + 1)`,
          check: `if (proposal.getYesVotes().length >= 1) return PASSED`,
          notify: `test.postMessage('opening a vote')
            test.initiateVote({ text: 'Keep the post?' })`,
        },
      })
    })
    afterEach(async () => {
      await runtime.stop()
      await h.close()
    })

    const postOnPlatform = async (text: string) => {
      const outcome = await runtime.engine.propose({
        communityId: h.community.id,
        type: 'test.post',
        params: { text },
        initiatorId: author.id,
        origin: 'platform',
        result: { postId: `p-${text}` },
      })
      assert.ok('proposal' in outcome && outcome.proposal, JSON.stringify(outcome))
      return outcome.proposal
    }

    const stored = async (proposalId: number) => {
      const proposal = await h.store.proposals.get(h.community.id, proposalId)
      assert.ok(proposal)
      return proposal
    }

    it('puts off a notify that cannot open its vote, then opens it once the platform is back', async () => {
      // The platform's limit is spent by the message notify posts first, so opening the vote fails.
      let outages = 1
      h.world.duringMessage = (text) => {
        if (text === 'opening a vote' && outages-- > 0) {
          h.world.unavailable = 1
        }
        return Promise.resolve()
      }
      const proposal = await postOnPlatform('held')
      await h.clock.settle()

      const held = await stored(proposal.id)
      assert.equal(held.status, 'proposed', 'not errored: the next policy did not take the action')
      assert.equal(held.notified, false, 'the first evaluation is to run again')
      assert.deepEqual(held.data, {}, "the put-off attempt's writes are not kept")
      assert.deepEqual(
        h.world.calls.map((c) => c.op),
        ['revert'],
        'the post was reverted and not executed by the next policy',
      )
      assert.equal(h.world.votePosts.length, 0)
      const logs = await h.store.logs.list(h.community.id, { proposalId: proposal.id })
      assert.ok(
        logs.some((l) => l.level === 'warn' && /platform unavailable: .* in notify.*tried again/.test(l.message)),
        JSON.stringify(logs.map((l) => l.message)),
      )
      assert.ok(!logs.some((l) => l.level === 'error'), 'not reported as the policy being wrong')

      await h.clock.advance(unavailableRetryMs)
      const retried = await stored(proposal.id)
      assert.equal(retried.status, 'proposed')
      assert.equal(retried.notified, true)
      assert.deepEqual(retried.data, { starts: 1 }, 'initialize ran again, on the data it started from')
      assert.deepEqual(
        h.world.votePosts.map((p) => [p.proposalId, p.text]),
        [[proposal.id, 'Keep the post?']],
      )
      assert.equal(retried.votePostId, h.world.votePosts[0]?.postId)
      assert.deepEqual(
        h.world.messages.map((m) => m.text),
        ['opening a vote', 'opening a vote'],
        'what the step did before the failing call is done again',
      )

      await runtime.engine.castVote(h.community.id, proposal.id, voter.id, { kind: 'boolean', value: true })
      await h.clock.settle()
      assert.equal((await stored(proposal.id)).status, 'passed')
      assert.deepEqual(
        h.world.calls.map((c) => c.op),
        ['revert', 'execute'],
        'reverted once, executed once the vote passed',
      )
    })

    it('keeps a pending proposal pending when its check cannot reach the platform, and checks again', async () => {
      await h.policy({
        name: 'reports each check',
        actionTypes: ['test.rename'],
        blocks: {
          check: `test.postMessage('checking')
            if (proposal.getYesVotes().length >= 1) return PASSED`,
        },
      })
      const outcome = await runtime.engine.propose({
        communityId: h.community.id,
        type: 'test.rename',
        params: { channel: 'general', name: 'news' },
        initiatorId: author.id,
        origin: 'policykit',
      })
      assert.ok('proposal' in outcome && outcome.proposal)
      const { proposal } = outcome
      await h.clock.settle()
      assert.equal((await stored(proposal.id)).status, 'proposed')

      h.world.unavailable = 1
      await runtime.engine.castVote(h.community.id, proposal.id, voter.id, { kind: 'boolean', value: true })
      await h.clock.settle()
      assert.equal((await stored(proposal.id)).status, 'proposed', 'the check could not run through')

      await h.clock.advance(unavailableRetryMs)
      assert.equal((await stored(proposal.id)).status, 'passed', 'checked again once the wait was over')
      assert.deepEqual(
        h.world.calls.map((c) => [c.op, c.type]),
        [['execute', 'test.rename']],
      )
    })

    it('puts off a step whose block ran out of time waiting on a slow server, rather than erroring it', async () => {
      let slowOnce = true
      h.world.duringMessage = async (text) => {
        if (text === 'opening a vote' && slowOnce) {
          slowOnce = false
          // Past the block's 1 s wall-clock limit, as an overloaded database or platform would be.
          await new Promise((resolve) => setTimeout(resolve, 1_500))
        }
      }
      const proposal = await postOnPlatform('slow')
      await h.clock.settle()
      const held = await stored(proposal.id)
      assert.equal(held.status, 'proposed', 'not errored: the next policy did not take the action')
      assert.equal(held.notified, false)
      const logs = await h.store.logs.list(h.community.id, { proposalId: proposal.id })
      assert.ok(
        logs.some((l) => l.level === 'warn' && /too slow.* in notify.*tried again/.test(l.message)),
        JSON.stringify(logs.map((l) => l.message)),
      )

      await h.clock.advance(slowServerRetryMs)
      assert.equal((await stored(proposal.id)).notified, true)
      assert.deepEqual(
        h.world.votePosts.map((p) => p.proposalId),
        [proposal.id],
      )
    })

    it('still errors a block that fails for its own reasons', async () => {
      const broken = await h.policy({ name: 'broken', blocks: { check: `throw new Error('my bug')` } })
      const outcome = await runtime.engine.propose({
        communityId: h.community.id,
        type: 'test.post',
        params: { text: 'hi' },
        initiatorId: author.id,
        origin: 'policykit',
      })
      await h.clock.settle()
      assert.ok('proposal' in outcome && outcome.proposal)
      assert.notEqual(outcome.proposal.policyId, broken.id, 'the next policy governs it')
      const all = await h.store.proposals.list(h.community.id, {})
      assert.deepEqual(
        all.filter((p) => p.policyId === broken.id).map((p) => p.status),
        ['errored'],
      )
    })
  })
}
