import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { createCommunityWithKit } from '../../src/kits/apply-kit.ts'
import { lastUsedPrecisionMs } from '../../src/server/auth/authenticate.ts'
import type { ApiTokenJson, CommunityJson, ErrorJson, InviteJson, SessionJson } from '../../src/server/presenters.ts'
import { startTestServer, toTestResponse, type TestResponse, type TestServer } from '../support/server-harness.ts'

describe('API tokens', () => {
  let s: TestServer
  let tokens: string
  beforeEach(async () => {
    s = await startTestServer()
    tokens = `/api/communities/${s.communityId}/tokens`
  })
  afterEach(() => s.close())

  const bearer = async <T>(
    token: string,
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    body?: object,
  ): Promise<TestResponse<T>> =>
    toTestResponse<T>(
      await s.app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${token}` },
        ...(body && { payload: body }),
      }),
    )

  const makeToken = async (name = 'ci'): Promise<{ id: number; token: string }> => {
    const res = await s.admin.post<ApiTokenJson>(tokens, { name })
    assert.equal(res.status, 201)
    assert.ok(res.json.token)
    return { id: res.json.id, token: res.json.token }
  }

  it('refuses a name of only spaces, saying so', async () => {
    const res = await s.admin.post<ErrorJson>(tokens, { name: '   ' })
    assert.equal(res.status, 400)
    assert.equal(res.json.error.message, 'invalid body: name: must not be empty or only spaces')
  })

  it('is shown once when made, then listed without its secret', async () => {
    const { id, token } = await makeToken('deploy bot')
    assert.match(token, /^pk_[A-Za-z0-9_-]{43}$/)
    const list = await s.admin.get<ApiTokenJson[]>(tokens)
    assert.deepEqual(list.json, [{ id, name: 'deploy bot', createdAt: s.clock.now(), lastUsedAt: null }])
    const other = await s.member('bob')
    assert.deepEqual((await other.get<ApiTokenJson[]>(tokens)).json, [], "one sees only one's own")
  })

  it('acts as its user without a CSRF token, and records when it was last used', async () => {
    const { token } = await makeToken()
    const community = await bearer<CommunityJson>(token, 'GET', `/api/communities/${s.communityId}`)
    assert.equal(community.status, 200)
    assert.equal(community.json.me.username, 'admin')
    const invite = await bearer<InviteJson>(token, 'POST', `/api/communities/${s.communityId}/invites`, {})
    assert.equal(invite.status, 201, 'a state-changing request needs no CSRF token with a bearer token')
    const [listed] = (await s.admin.get<ApiTokenJson[]>(tokens)).json
    assert.equal(listed?.lastUsedAt, s.clock.now())

    const session = await bearer<SessionJson>(token, 'GET', '/api/session')
    assert.equal(session.status, 200)
    assert.equal(session.json.csrfToken, '')
  })

  it('records its last use to the minute: no write for each request', async () => {
    const { token } = await makeToken('busy bot')
    const lastUsed = async () =>
      (await s.admin.get<ApiTokenJson[]>(tokens)).json.find((t) => t.name === 'busy bot')?.lastUsedAt
    const community = `/api/communities/${s.communityId}`
    assert.equal((await bearer(token, 'GET', community)).status, 200)
    const first = s.clock.now()
    assert.equal(await lastUsed(), first)
    await s.clock.advance(lastUsedPrecisionMs - 1)
    assert.equal((await bearer(token, 'GET', community)).status, 200)
    assert.equal(await lastUsed(), first, 'less than a minute later: not written again')
    await s.clock.advance(1)
    assert.equal((await bearer(token, 'GET', community)).status, 200)
    assert.equal(await lastUsed(), first + lastUsedPrecisionMs)
  })

  it('sees only its own community: another one, where its user is a member too, is not found', async () => {
    const { community: other, creator } = await createCommunityWithKit(s.store, {
      name: 'Other',
      kit: 'testing',
      creator: { username: 'admin' },
      now: s.clock.now(),
    })
    await s.store.members.linkAccount(other.id, creator.id, {
      platform: 'local',
      externalId: String(s.admin.userId),
      username: 'admin',
    })
    assert.equal((await s.admin.get(`/api/communities/${other.id}`)).status, 200, 'the session sees both')
    const { token } = await makeToken()
    const res = await bearer<ErrorJson>(token, 'GET', `/api/communities/${other.id}`)
    assert.equal(res.status, 404)
    assert.equal(res.json.error.code, 'not_found')
    const session = await bearer<SessionJson>(token, 'GET', '/api/session')
    assert.deepEqual(
      session.json.memberships.map((m) => m.communityId),
      [s.communityId],
    )
  })

  it('cannot list, make or revoke tokens', async () => {
    const { id, token } = await makeToken()
    assert.equal((await bearer(token, 'GET', tokens)).status, 403)
    assert.equal((await bearer(token, 'POST', tokens, { name: 'more' })).status, 403)
    assert.equal((await bearer(token, 'DELETE', `${tokens}/${id}`)).status, 403)
    assert.equal((await s.admin.get<ApiTokenJson[]>(tokens)).json.length, 1)
  })

  it('stops working once revoked, and a token that never existed is refused, not anonymous', async () => {
    const { id, token } = await makeToken()
    const bob = await s.member('bob')
    assert.equal((await bob.delete(`${tokens}/${id}`)).status, 404, "only one's own tokens")
    assert.equal((await bearer(token, 'GET', `/api/communities/${s.communityId}`)).status, 200)

    assert.equal((await s.admin.delete(`${tokens}/${id}`)).status, 204)
    const revoked = await bearer<ErrorJson>(token, 'GET', `/api/communities/${s.communityId}`)
    assert.equal(revoked.status, 401)
    assert.equal(revoked.json.error.code, 'unauthenticated')
    assert.equal((await bearer(token, 'GET', '/api/setup')).status, 401, 'even on a public route')
    assert.equal((await bearer('pk_made-up', 'GET', '/api/session')).status, 401)
    const basic = await s.app.inject({ url: '/api/session', headers: { authorization: 'Basic YTpi' } })
    assert.equal(basic.statusCode, 401)
    assert.equal((await s.admin.delete(`${tokens}/${id}`)).status, 404)
  })

  it('needs someone signed in, and a name', async () => {
    const res = await s.app.inject({ method: 'GET', url: tokens })
    assert.equal(res.statusCode, 401)
    const name = await s.admin.post<ErrorJson>(tokens, { name: '' })
    assert.equal(name.status, 400)
    assert.deepEqual(
      name.json.error.issues?.map((i) => i.path),
      ['name'],
    )
  })
})
