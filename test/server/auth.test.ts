import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import type { ApiTokenJson, ErrorJson, SessionJson } from '../../src/server/presenters.ts'
import {
  createTestApp,
  sessionCookieOf,
  startTestServer,
  testPassword,
  toTestResponse,
  type TestApp,
  type TestServer,
} from '../support/server-harness.ts'

const minute = 60_000

describe('signing in and out', () => {
  let s: TestServer
  let address = 0
  beforeEach(async () => {
    s = await startTestServer()
  })
  afterEach(() => s.close())

  /** Each call from an address of its own unless told, so the per-address limit stays out of the way. */
  const signIn = (
    username: string,
    password: string,
    options: { from?: string; headers?: Record<string, string> } = {},
  ) =>
    s.app.inject({
      method: 'POST',
      url: '/api/session',
      payload: { username, password },
      remoteAddress: options.from ?? `192.0.2.${++address % 250}`,
      ...(options.headers && { headers: options.headers }),
    })

  it('signs in with the right password and sets a signed, HttpOnly, SameSite=Lax cookie', async () => {
    const res = await signIn('ADMIN', testPassword)
    assert.equal(res.statusCode, 200)
    const session = toTestResponse<SessionJson>(res).json
    assert.equal(session.user.username, 'admin')
    assert.deepEqual(
      session.memberships.map((m) => m.communityId),
      [s.communityId],
    )
    assert.ok(session.csrfToken.length >= 32)

    const header = String(res.headers['set-cookie'])
    assert.match(header, /^pk_session=[^;]+\.[^;]+;/, 'the value carries a signature')
    assert.match(header, /; HttpOnly/)
    assert.match(header, /; SameSite=Lax/)
    assert.match(header, /; Path=\//)
    assert.match(header, /; Max-Age=2592000/)
    assert.doesNotMatch(header, /Secure/, 'not over plain http')

    const cookie = sessionCookieOf(res)
    const me = await s.app.inject({ url: '/api/session', cookies: { pk_session: cookie } })
    assert.equal(me.statusCode, 200)
    const tampered = `${cookie.slice(0, 10)}${cookie[10] === 'x' ? 'y' : 'x'}${cookie.slice(11)}`
    const refused = await s.app.inject({ url: '/api/session', cookies: { pk_session: tampered } })
    assert.equal(refused.statusCode, 401)
  })

  it('answers a wrong password and an unknown username alike', async () => {
    const wrong = toTestResponse<ErrorJson>(await signIn('admin', 'not the password'))
    const unknown = toTestResponse<ErrorJson>(await signIn('nobody', 'not the password'))
    assert.equal(wrong.status, 401)
    assert.equal(unknown.status, 401)
    assert.deepEqual(wrong.json, unknown.json)
    assert.equal(wrong.json.error.code, 'unauthenticated')
    assert.equal(wrong.headers['set-cookie'], undefined)
  })

  it('says 401 to GET /api/session without a session', async () => {
    const res = toTestResponse<ErrorJson>(await s.app.inject({ url: '/api/session' }))
    assert.equal(res.status, 401)
    assert.equal(res.json.error.code, 'unauthenticated')
  })

  it('limits sign-in attempts per address', async () => {
    const from = '198.51.100.7'
    for (let i = 0; i < 10; i++) {
      assert.equal((await signIn(`guess${i}`, 'wrong password', { from })).statusCode, 401)
    }
    const limited = toTestResponse<ErrorJson>(await signIn('admin', testPassword, { from }))
    assert.equal(limited.status, 429)
    assert.equal(limited.json.error.code, 'rate_limited')
    assert.equal((await signIn('admin', testPassword)).statusCode, 200, 'another address is not limited')
  })

  it('limits failed sign-ins per username, from any address, until the window passes', async () => {
    for (let i = 0; i < 10; i++) {
      assert.equal((await signIn('admin', `wrong ${i}`)).statusCode, 401)
    }
    const limited = toTestResponse<ErrorJson>(await signIn('admin', testPassword))
    assert.equal(limited.status, 429, 'even the right password waits')
    assert.equal(limited.json.error.code, 'rate_limited')
    assert.equal((await signIn('nobody', 'wrong')).statusCode, 401, 'other usernames are not limited')
    await s.clock.advance(15 * minute)
    assert.equal((await signIn('admin', testPassword)).statusCode, 200)
  })

  it('refuses a state-changing request made with the cookie but without the CSRF token, and changes nothing', async () => {
    const url = `/api/communities/${s.communityId}/tokens`
    const { cookie, csrfToken } = s.admin.session
    for (const headers of [{}, { 'x-csrf-token': 'wrong' }, { 'x-csrf-token': `${csrfToken}x` }]) {
      const res = toTestResponse<ErrorJson>(
        await s.app.inject({ method: 'POST', url, payload: { name: 'ci' }, cookies: { pk_session: cookie }, headers }),
      )
      assert.equal(res.status, 403)
      assert.equal(res.json.error.message, 'missing or wrong CSRF token')
    }
    assert.deepEqual((await s.admin.get<ApiTokenJson[]>(url)).json, [])
    const ok = await s.app.inject({
      method: 'POST',
      url,
      payload: { name: 'ci' },
      cookies: { pk_session: cookie },
      headers: { 'x-csrf-token': csrfToken },
    })
    assert.equal(ok.statusCode, 201)
  })

  it('signs out by deleting the session on the server', async () => {
    const { cookie, csrfToken } = s.admin.session
    const refused = await s.app.inject({ method: 'DELETE', url: '/api/session', cookies: { pk_session: cookie } })
    assert.equal(refused.statusCode, 403, 'sign-out needs the CSRF token too')

    const res = await s.admin.delete('/api/session')
    assert.equal(res.status, 204)
    assert.match(String(res.headers['set-cookie']), /pk_session=;/)
    // The old cookie, replayed, no longer works: the session is gone, not just the cookie.
    const replay = await s.app.inject({ url: '/api/session', cookies: { pk_session: cookie } })
    assert.equal(replay.statusCode, 401)
    const write = await s.app.inject({
      method: 'POST',
      url: `/api/communities/${s.communityId}/tokens`,
      payload: { name: 'x' },
      cookies: { pk_session: cookie },
      headers: { 'x-csrf-token': csrfToken },
    })
    assert.equal(write.statusCode, 401)
  })

  it('expires a session after 30 days', async () => {
    await s.clock.advance(30 * 24 * 60 * minute)
    assert.equal((await s.admin.get('/api/session')).status, 401)
  })

  it('signs in despite a stale cookie sent without its CSRF token', async () => {
    const res = await signIn('admin', testPassword, { headers: { cookie: `pk_session=${s.admin.session.cookie}` } })
    assert.equal(res.statusCode, 200)
    assert.notEqual(sessionCookieOf(res), s.admin.session.cookie)
  })

  it('refuses a sign-in posted from another site', async () => {
    const res = await signIn('admin', testPassword, { headers: { origin: 'https://evil.example' } })
    assert.equal(res.statusCode, 403)
    assert.equal(res.headers['set-cookie'], undefined)
  })
})

describe('the session cookie over https', () => {
  it('is Secure', async () => {
    const t = await createTestApp({ publicUrl: 'https://policykit.example.org' })
    try {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/setup',
        payload: {
          token: t.deps.setupToken,
          communityName: 'c',
          kit: 'testing',
          username: 'ada',
          password: testPassword,
        },
      })
      assert.equal(res.statusCode, 200)
      assert.match(String(res.headers['set-cookie']), /; Secure/)
      assert.match(String(res.headers['strict-transport-security']), /max-age=/)
      assert.match(String(res.headers['content-security-policy']), /upgrade-insecure-requests/)
    } finally {
      await t.close()
    }
  })
})

describe('sign-in limits behind a reverse proxy', () => {
  const attempt = (t: TestApp, forwardedFor: string) =>
    t.app.inject({
      method: 'POST',
      url: '/api/session',
      payload: { username: `guess-${forwardedFor}`, password: 'wrong password' },
      remoteAddress: '127.0.0.1',
      headers: { 'x-forwarded-for': forwardedFor },
    })

  it("counts each client's address when the proxy is trusted, and the proxy's when it is not", async () => {
    for (const [trustProxy, limitedAfterTen] of [
      [['127.0.0.1'], false],
      [false, true],
    ] as const) {
      const t = await createTestApp({ trustProxy: trustProxy === false ? false : [...trustProxy] })
      try {
        for (let i = 0; i < 10; i++) {
          assert.equal((await attempt(t, `203.0.113.${i + 1}`)).statusCode, 401)
        }
        const eleventh = (await attempt(t, '203.0.113.99')).statusCode
        assert.equal(eleventh, limitedAfterTen ? 429 : 401, `trustProxy ${JSON.stringify(trustProxy)}`)
      } finally {
        await t.close()
      }
    }
  })
})
