import assert from 'node:assert/strict'
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, afterEach, before, beforeEach, describe, it } from 'node:test'
import type { Logger } from '../../src/engine/logger.ts'
import type { ErrorJson, HealthJson } from '../../src/server/presenters.ts'
import { createTestApp, startTestServer, toTestResponse, type TestServer } from '../support/server-harness.ts'

describe('the server', () => {
  let s: TestServer
  beforeEach(async () => {
    s = await startTestServer()
  })
  afterEach(() => s.close())

  it('describes the API in an OpenAPI 3.1 document made from the route schemas', async () => {
    const res = toTestResponse<{ openapi: string; paths: Record<string, Record<string, unknown>> }>(
      await s.app.inject({ url: '/api/openapi.json' }),
    )
    assert.equal(res.status, 200)
    assert.match(res.json.openapi, /^3\.1\./)
    const { paths } = res.json
    for (const [route, method] of [
      ['/api/session', 'post'],
      ['/api/session', 'delete'],
      ['/api/setup', 'post'],
      ['/api/invites/{token}/accept', 'post'],
      ['/api/communities/{communityId}/invites', 'post'],
      ['/api/communities/{communityId}/tokens/{tokenId}', 'delete'],
      ['/healthz', 'get'],
      // The community routes, registered by their own module.
      ['/api/communities/{communityId}', 'get'],
    ] as const) {
      assert.ok(paths[route]?.[method], `${method} ${route} is documented`)
    }
    assert.equal(paths['/api/openapi.json'], undefined)
    const signIn = JSON.stringify(paths['/api/session']?.['post'])
    assert.match(signIn, /"username"/, 'request bodies are described')
  })

  it('answers /healthz while the database does', async () => {
    const res = toTestResponse<HealthJson>(await s.app.inject({ url: '/healthz' }))
    assert.equal(res.status, 200)
    assert.deepEqual(res.json, { status: 'ok', database: 'ok' })
  })

  it('serves Prometheus metrics: process, request durations by route pattern, proposals by status', async () => {
    await s.admin.get(`/api/communities/${s.communityId}`)
    const res = await s.app.inject({ url: '/metrics' })
    assert.equal(res.statusCode, 200)
    assert.match(String(res.headers['content-type']), /^text\/plain/)
    assert.match(res.body, /^process_cpu_user_seconds_total /m)
    assert.match(
      res.body,
      /^http_request_duration_seconds_count\{method="GET",route="\/api\/communities\/:communityId",status="200"\} 1$/m,
    )
    assert.match(res.body, /^policykit_proposals\{status="proposed"\} 0$/m)
  })

  it('refuses a body over 1 MiB with 413', async () => {
    const res = toTestResponse<ErrorJson>(
      await s.app.inject({
        method: 'POST',
        url: '/api/session',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ username: 'admin', password: 'x'.repeat(1024 * 1024) }),
      }),
    )
    assert.equal(res.status, 413)
    assert.equal(res.json.error.code, 'payload_too_large')
  })

  it('answers malformed JSON with 400 invalid_input', async () => {
    const res = toTestResponse<ErrorJson>(
      await s.app.inject({
        method: 'POST',
        url: '/api/session',
        headers: { 'content-type': 'application/json' },
        payload: '{"username": "admin",',
      }),
    )
    assert.equal(res.status, 400)
    assert.equal(res.json.error.code, 'invalid_input')
  })

  it('answers an unknown API route with 404 JSON', async () => {
    const res = toTestResponse<ErrorJson>(await s.app.inject({ url: '/api/nothing/here' }))
    assert.equal(res.status, 404)
    assert.equal(res.json.error.code, 'not_found')
    assert.equal((await s.app.inject({ url: '/c/1' })).statusCode, 404, 'no dashboard without a web root')
  })

  it('sends security headers', async () => {
    const res = await s.app.inject({ url: '/api/setup' })
    const csp = String(res.headers['content-security-policy'])
    assert.match(csp, /default-src 'self'/)
    assert.match(csp, /style-src 'self' 'unsafe-inline'/)
    assert.match(csp, /img-src 'self' data:/)
    assert.match(csp, /connect-src 'self'/)
    assert.doesNotMatch(csp, /upgrade-insecure-requests/, 'not over plain http')
    assert.equal(res.headers['x-content-type-options'], 'nosniff')
    assert.equal(res.headers['x-frame-options'], 'SAMEORIGIN')
    assert.equal(res.headers['strict-transport-security'], undefined)
  })
})

describe('the server on errors', () => {
  it('answers a bug with 500 and a message that tells nothing, and logs the stack', async () => {
    const logged: { details: object; message: string }[] = []
    const logger: Logger = {
      debug: () => {},
      info: () => {},
      warn: () => {},
      error: (details, message) => logged.push({ details, message }),
    }
    const t = await createTestApp({ logger })
    try {
      t.app.get('/api/boom', async () => {
        throw new Error('secret detail of a bug')
      })
      const res = toTestResponse<ErrorJson>(await t.app.inject({ url: '/api/boom' }))
      assert.equal(res.status, 500)
      assert.deepEqual(res.json, { error: { code: 'internal', message: 'internal error' } })
      assert.doesNotMatch(res.text, /secret/)
      const [entry] = logged
      assert.ok(entry && 'err' in entry.details && entry.details.err instanceof Error)
      assert.match(entry.details.err.stack ?? '', /secret detail of a bug/)
    } finally {
      await t.close()
    }
  })

  it('answers /healthz with 503 when the database does not answer', async () => {
    const t = await createTestApp()
    await t.store.close()
    try {
      const res = toTestResponse<HealthJson>(await t.app.inject({ url: '/healthz' }))
      assert.equal(res.status, 503)
      assert.deepEqual(res.json, { status: 'unavailable', database: 'unavailable' })
    } finally {
      await t.app.close()
      await t.deps.sandbox.close()
    }
  })
})

describe('the dashboard', () => {
  let webRoot: string
  let s: TestServer
  before(() => {
    webRoot = mkdtempSync(path.join(tmpdir(), 'policykit-web-'))
    writeFileSync(path.join(webRoot, 'index.html'), '<!doctype html><title>PolicyKit</title>')
    mkdirSync(path.join(webRoot, 'assets'))
    writeFileSync(path.join(webRoot, 'assets', 'app-1234.js'), 'console.log(1)')
  })
  after(() => rmSync(webRoot, { recursive: true, force: true }))
  beforeEach(async () => {
    s = await startTestServer({ webRoot })
  })
  afterEach(() => s.close())

  it("answers the app's index.html for any page, and serves its files", async () => {
    for (const url of ['/', '/login', '/c/1/proposals/7', '/invite/abc?x=1']) {
      const res = await s.app.inject({ url })
      assert.equal(res.statusCode, 200, url)
      assert.match(String(res.headers['content-type']), /^text\/html/)
      assert.match(res.body, /<title>PolicyKit<\/title>/)
    }
    const asset = await s.app.inject({ url: '/assets/app-1234.js' })
    assert.equal(asset.statusCode, 200)
    assert.equal(asset.body, 'console.log(1)')
    assert.match(String(asset.headers['cache-control']), /immutable/)
  })

  it('keeps the API, operations and missing assets out of the fallback', async () => {
    const api = toTestResponse<ErrorJson>(await s.app.inject({ url: '/api/nothing' }))
    assert.equal(api.status, 404)
    assert.equal(api.json.error.code, 'not_found')
    assert.equal((await s.app.inject({ url: '/assets/missing.js' })).statusCode, 404)
    assert.equal((await s.app.inject({ url: '/healthz' })).statusCode, 200)
    assert.equal((await s.app.inject({ method: 'POST', url: '/c/1' })).statusCode, 404)
  })
})
