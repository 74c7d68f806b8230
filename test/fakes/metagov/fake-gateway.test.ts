import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startFakeGateway, type FakeGateway } from './fake-gateway.ts'

describe('the fake Metagov gateway', () => {
  let gateway: FakeGateway
  before(async () => {
    gateway = await startFakeGateway({ now: () => Date.UTC(2026, 0, 1) })
  })
  after(async () => {
    await gateway.close()
  })

  const call = async (method: string, path: string, options: { body?: unknown; community?: string } = {}) => {
    const response = await fetch(`${gateway.url}${path}`, {
      method,
      headers: {
        ...(options.community ? { 'x-metagov-community': options.community } : {}),
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    })
    return { status: response.status, headers: response.headers, text: await response.text() }
  }

  it('answers as the running gateway: 201 community, 400 plain text without the header, 500 for a config off its schema', async () => {
    const created = await call('POST', '/api/internal/community', { body: { readable_name: 'Gardeners', plugins: [] } })
    assert.equal(created.status, 201)
    const { slug } = JSON.parse(created.text) as { slug: string }
    assert.match(created.text, /^\{"slug": /, "Python's spacing")
    const noHeader = await call('POST', '/api/internal/plugin/randomness', {
      body: { default_low: 0, default_high: 9 },
    })
    assert.equal(noHeader.status, 400)
    assert.match(noHeader.headers.get('content-type') ?? '', /text\/html/)
    const offSchema = await call('POST', '/api/internal/plugin/randomness', {
      community: slug,
      body: { default_low: 'x' },
    })
    assert.deepEqual([offSchema.status, offSchema.text], [500, '{"detail": "A server error occurred."}'])
    const enabled = await call('POST', '/api/internal/plugin/randomness', {
      community: slug,
      body: { default_low: 0, default_high: 9 },
    })
    assert.equal(enabled.status, 201)
    const again = await call('POST', '/api/internal/plugin/randomness', {
      community: slug,
      body: { default_low: 0, default_high: 9 },
    })
    assert.equal(again.status, 200)
    const badParams = await call('POST', '/api/internal/action/randomness.random-int', {
      community: slug,
      body: { parameters: { low: 'a' } },
    })
    assert.equal(badParams.status, 400)
    gateway.random = () => 0.5
    const action = await call('POST', '/api/internal/action/randomness.random-int', {
      community: slug,
      body: { parameters: { low: 0, high: 10 } },
    })
    assert.deepEqual([action.status, action.text], [200, '{"value": 5}'])
    const started = await call('POST', '/api/internal/process/randomness.delayed-stochastic-vote', {
      community: slug,
      body: { options: ['a', 'b'], delay: 0 },
    })
    assert.equal(started.status, 202)
    assert.equal(started.text, '')
    const location = started.headers.get('location') ?? ''
    assert.match(location, /^\/api\/internal\/process\/randomness\.delayed-stochastic-vote\/\d+$/)
    await gateway.runTasks()
    const record = JSON.parse((await call('GET', location)).text) as { status: string; outcome: { winner: string } }
    assert.equal(record.status, 'completed')
    assert.equal((await call('DELETE', location)).status, 400)
    const notEnabled = await call('POST', '/api/internal/process/loomio.poll', {
      community: slug,
      body: { title: 't', options: ['a'], closing_at: '2026-01-04', poll_type: 'proposal' },
    })
    assert.equal(notEnabled.status, 500)
  })
})
