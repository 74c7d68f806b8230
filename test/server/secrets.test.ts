import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Logger } from '../../src/engine/logger.ts'
import type { ApiTokenJson, InviteJson, SessionJson } from '../../src/server/presenters.ts'
import {
  createTestApp,
  signedInClient,
  testPassword,
  testSetupToken,
  toTestResponse,
  type TestApp,
  type TestClient,
} from '../support/server-harness.ts'

/** Everything the server logged, as one string per entry. */
function recordingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = []
  const record = (details: object, message: string) => lines.push(`${message} ${JSON.stringify(details)}`)
  return { logger: { debug: record, info: record, warn: record, error: record }, lines }
}

describe('responses and logs that carry secrets', () => {
  let t: TestApp
  let admin: TestClient
  let base: string
  let communityId: number
  let setUpCacheControl: unknown
  const { logger, lines } = recordingLogger()
  let address = 0
  const from = () => `203.0.113.${++address}`

  before(async () => {
    t = await createTestApp({ logger })
    const setup = await t.app.inject({
      method: 'POST',
      url: '/api/setup',
      remoteAddress: from(),
      payload: { token: testSetupToken, communityName: 'c', kit: 'testing', username: 'ada', password: testPassword },
    })
    assert.equal(setup.statusCode, 200, setup.body)
    setUpCacheControl = setup.headers['cache-control']
    communityId = toTestResponse<SessionJson>(setup).json.memberships[0]?.communityId ?? 0
    admin = signedInClient(t.app, setup, communityId)
    base = `/api/communities/${communityId}`
  })
  after(() => t.close())

  const tokenOf = (invite: InviteJson) => invite.url?.split('/').pop() ?? ''

  it('says Cache-Control: no-store on sessions, new API tokens and invite and claim links', async () => {
    assert.equal(setUpCacheControl, 'no-store', 'set-up answers with a session')
    const signIn = await t.app.inject({
      method: 'POST',
      url: '/api/session',
      remoteAddress: from(),
      payload: { username: 'ada', password: testPassword },
    })
    assert.equal(signIn.statusCode, 200)
    assert.equal(signIn.headers['cache-control'], 'no-store', 'POST /api/session')
    assert.equal((await admin.get('/api/session')).headers['cache-control'], 'no-store', 'GET /api/session')

    const token = await admin.post<ApiTokenJson>(`${base}/tokens`, { name: 'ci' })
    assert.ok(token.json.token)
    assert.equal(token.headers['cache-control'], 'no-store', 'a new API token')

    const invite = await admin.post<InviteJson>(`${base}/invites`, {})
    assert.ok(invite.json.url)
    assert.equal(invite.headers['cache-control'], 'no-store', 'an invite link')
    await t.store.members.create(communityId, { username: 'grace', now: 1 })
    const claim = await admin.post<InviteJson>(`${base}/invites`, { member: 'grace' })
    assert.equal(claim.status, 201, claim.text)
    assert.equal(claim.headers['cache-control'], 'no-store', 'a claim link')

    const accepted = await t.app.inject({
      method: 'POST',
      url: `/api/invites/${tokenOf(invite.json)}/accept`,
      remoteAddress: from(),
      payload: { username: 'bob', password: testPassword },
    })
    assert.equal(accepted.statusCode, 200, accepted.body)
    assert.equal(accepted.headers['cache-control'], 'no-store', 'accepting an invite signs in')

    const plain = await admin.get(base)
    assert.notEqual(plain.headers['cache-control'], 'no-store', 'only where a secret is')
  })

  it('keeps invite and claim tokens out of logged paths', async () => {
    const invite = await admin.post<InviteJson>(`${base}/invites`, {})
    const token = tokenOf(invite.json)
    assert.ok(token.length > 10)
    lines.length = 0
    await t.app.inject({ url: `/invite/${token}` })
    await t.app.inject({ url: `/api/invites/${token}` })
    await t.app.inject({
      method: 'POST',
      url: `/api/invites/${token}/accept`,
      remoteAddress: from(),
      payload: { username: 'cy', password: testPassword },
    })
    const requests = lines.filter((l) => l.startsWith('request '))
    assert.equal(requests.length, 3, lines.join('\n'))
    assert.ok(
      requests.some((l) => l.includes('"/api/invites/:token/accept"')),
      requests.join('\n'),
    )
    assert.ok(
      requests.some((l) => l.includes('"/invite/:token"')),
      requests.join('\n'),
    )
    assert.deepEqual(
      lines.filter((l) => l.includes(token)),
      [],
    )
  })
})
