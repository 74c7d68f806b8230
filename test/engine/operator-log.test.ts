import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createEngine, type Engine } from '../../src/engine/engine.ts'
import type { Logger } from '../../src/engine/logger.ts'
import { engineHarness, type EngineHarness } from '../support/engine-harness.ts'

/** A logger that keeps what it is given at info and above. */
function recordingLogger(): Logger & { lines: { level: string; details: object; message: string }[] } {
  const lines: { level: string; details: object; message: string }[] = []
  const keep = (level: string) => (details: object, message: string) => void lines.push({ level, details, message })
  return { lines, debug: () => {}, info: keep('info'), warn: keep('warn'), error: keep('error') }
}

/** The server's own log (LOG_LEVEL=info) says what was decided and which policy raised. */
describe('the operator log', () => {
  let h: EngineHarness
  let engine: Engine
  const logger = recordingLogger()
  before(async () => {
    h = await engineHarness('sqlite')
    engine = createEngine({ store: h.store, sandbox: h.sandbox, platforms: h.platforms, clock: h.clock, logger })
  })
  after(() => h.close())

  it('has each decision at info, with the community, proposal, action and policy', async () => {
    const policy = await h.policy({ name: 'Passes', actionTypes: ['test.post'], blocks: { check: 'return PASSED' } })
    const member = await h.member('ada')
    const outcome = await engine.propose({
      communityId: h.community.id,
      type: 'test.post',
      params: { text: 'hi' },
      initiatorId: member.id,
      origin: 'policykit',
    })
    assert.equal(outcome.status, 'passed')
    assert.ok('proposal' in outcome)
    const line = logger.lines.find((l) => l.message === `proposal #${outcome.proposal.number} passed`)
    assert.ok(line, JSON.stringify(logger.lines))
    assert.equal(line.level, 'info')
    assert.deepEqual(line.details, {
      communityId: h.community.id,
      proposalId: outcome.proposal.id,
      proposalNumber: outcome.proposal.number,
      actionId: outcome.action.id,
      type: 'test.post',
      policyId: policy.id,
      status: 'passed',
    })
    await h.store.policies.setActive(h.community.id, policy.id, false, h.clock.now())
  })

  it('has a policy error at info with its block and line, and the errored proposal', async () => {
    const broken = await h.policy({
      name: 'Broken',
      actionTypes: ['test.post'],
      priority: 5,
      blocks: { check: 'const x = null\nreturn x.y' },
    })
    await h.policy({ name: 'Fallback', actionTypes: ['test.post'], blocks: { check: 'return FAILED' } })
    const outcome = await engine.propose({
      communityId: h.community.id,
      type: 'test.post',
      params: { text: 'hi' },
      initiatorId: null,
      origin: 'policykit',
    })
    assert.equal(outcome.status, 'failed', 'the next policy decided')
    const error = logger.lines.find((l) => l.message.startsWith('policy error in check, line 2'))
    assert.ok(error, JSON.stringify(logger.lines.map((l) => l.message)))
    assert.equal(error.level, 'info')
    assert.match(error.message, /moving on to the next eligible policy/)
    assert.equal((error.details as { policyId: number }).policyId, broken.id)
    assert.ok(logger.lines.some((l) => /^proposal #\d+ errored: the next eligible policy is tried$/.test(l.message)))
    assert.ok(logger.lines.some((l) => /^proposal #\d+ failed$/.test(l.message)))
  })
})
