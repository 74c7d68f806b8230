import assert from 'node:assert/strict'
import { after, beforeEach, describe, it } from 'node:test'
import type { Member } from '../../src/domain/member.ts'
import { engineHarness, type EngineHarness } from '../support/engine-harness.ts'
import { testDialects } from '../support/test-store.ts'

for (const dialect of testDialects()) {
  describe(`${dialect}: choosing the governing policy`, () => {
    let h: EngineHarness
    let author: Member
    const harnesses: EngineHarness[] = []

    beforeEach(async () => {
      h = await engineHarness(dialect)
      harnesses.push(h)
      author = await h.member('author')
    })
    after(async () => {
      for (const harness of harnesses) {
        await harness.close()
      }
    })

    const propose = (text = 'hi') =>
      h.engine.propose({
        communityId: h.community.id,
        type: 'test.post',
        params: { text },
        initiatorId: author.id,
        origin: 'policykit',
      })

    const governedBy = async (text?: string) => {
      const outcome = await propose(text)
      assert.ok('proposal' in outcome && outcome.proposal, `expected a proposal, got ${outcome.status}`)
      return (await h.store.policies.get(h.community.id, outcome.proposal.policyId))?.name
    }

    it('prefers higher priority, then the most recently changed policy', async () => {
      await h.policy({ name: 'base', priority: 0 })
      await h.policy({ name: 'specific', actionTypes: ['test.post'], priority: 10 })
      assert.equal(await governedBy(), 'specific')

      h.clock.set(h.clock.now() + 1000)
      const newer = await h.policy({ name: 'newer specific', actionTypes: ['test.post'], priority: 10 })
      assert.equal(await governedBy(), 'newer specific')

      h.clock.set(h.clock.now() + 1000)
      await h.store.policies.setActive(h.community.id, newer.id, false, h.clock.now())
      assert.equal(await governedBy(), 'specific')
    })

    it('skips policies whose filter does not match, and policies for other types', async () => {
      await h.policy({ name: 'base' })
      await h.policy({ name: 'renames only', actionTypes: ['test.rename'], priority: 5 })
      await h.policy({
        name: 'urgent posts',
        actionTypes: ['test.post'],
        priority: 5,
        blocks: { filter: `return action.text.startsWith('URGENT')` },
      })
      assert.equal(await governedBy('hello'), 'base')
      assert.equal(await governedBy('URGENT: hello'), 'urgent posts')
    })

    it('treats an error in filter as no match and logs it with the block and line', async () => {
      await h.policy({ name: 'base' })
      const broken = await h.policy({
        name: 'broken filter',
        priority: 5,
        blocks: { filter: `const x = 1\nreturn action.missing.deeper` },
      })
      assert.equal(await governedBy(), 'base')
      const logs = await h.store.logs.list(h.community.id)
      const error = logs.find((l) => l.policyId === broken.id && l.level === 'error')
      assert.ok(error, 'the filter error is logged')
      assert.equal(error.details?.['block'], 'filter')
      assert.equal(error.details?.['line'], 2)
      assert.equal(error.details?.['kind'], 'runtime')
    })

    it('moves on to the next policy when the first evaluation raises', async () => {
      await h.policy({ name: 'fallback', blocks: { check: 'return PASSED' } })
      await h.policy({ name: 'throws', priority: 5, blocks: { check: `\n\nthrow new Error('no quorum table')` } })
      const outcome = await propose()
      assert.equal(outcome.status, 'passed')
      const proposals = await h.store.proposals.list(h.community.id, { actionId: outcome.action.id })
      assert.deepEqual(proposals.map((p) => p.status).sort(), ['errored', 'passed'])
      const logs = await h.store.logs.list(h.community.id, { actionId: outcome.action.id })
      const error = logs.find((l) => l.level === 'error')
      assert.match(error?.message ?? '', /runtime error in check, line 3: .*no quorum table/)
    })

    it('leaves an action ungoverned (and says so) when no policy matches', async () => {
      await h.policy({ name: 'never', blocks: { filter: 'return false' } })
      const outcome = await propose()
      assert.equal(outcome.status, 'ungoverned')
      assert.deepEqual(h.world.calls, [])
      const logs = await h.store.logs.list(h.community.id, { actionId: outcome.action.id })
      assert.ok(logs.some((l) => /no active policy governs test\.post/.test(l.message)))
    })

    it('keeps evaluating a pending proposal under the version it started with', async () => {
      const policy = await h.policy({
        name: 'wait for a flag',
        blocks: { check: `return proposal.data.get('go') ? PASSED : PROPOSED` },
      })
      const outcome = await propose()
      assert.ok('proposal' in outcome && outcome.proposal)
      await h.store.policies.update(
        h.community.id,
        policy.id,
        { blocks: { ...policy.blocks, check: 'return FAILED' } },
        h.clock.now(),
      )
      await h.engine.recheck(h.community.id, outcome.proposal.id)
      assert.equal((await h.store.proposals.get(h.community.id, outcome.proposal.id))?.status, 'proposed')

      const next = await propose('under the new version')
      assert.equal(next.status, 'failed')
    })

    it('gives blocks the policy variables, and keeps state only in proposal.data', async () => {
      await h.policy({
        name: 'quorum',
        variables: [{ name: 'quorum', label: 'Quorum', type: 'number', isList: false, default: 2, value: null }],
        blocks: {
          initialize: `proposal.data.set('seen', variables.quorum); var leaked = 1`,
          check: `return typeof leaked === 'undefined' && proposal.data.get('seen') === 2 ? PASSED : FAILED`,
        },
      })
      assert.equal((await propose()).status, 'passed')
    })
  })
}
