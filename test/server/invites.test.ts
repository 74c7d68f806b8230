import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { createCommunityWithKit } from '../../src/kits/apply-kit.ts'
import type { ErrorJson, InviteInfoJson, InviteJson, MemberJson, SessionJson } from '../../src/server/presenters.ts'
import {
  signedInClient,
  startTestServer,
  testPassword,
  testPublicUrl,
  toTestResponse,
  type TestServer,
} from '../support/server-harness.ts'

const day = 86_400_000

describe('invites', () => {
  let s: TestServer
  let invites: string
  let address = 0
  beforeEach(async () => {
    s = await startTestServer()
    invites = `/api/communities/${s.communityId}/invites`
  })
  afterEach(() => s.close())

  const makeInvite = async (): Promise<string> => {
    const res = await s.admin.post<InviteJson>(invites, {})
    assert.equal(res.status, 201)
    const url = res.json.url ?? ''
    assert.ok(url.startsWith(`${testPublicUrl}/invite/`), url)
    return url.slice(`${testPublicUrl}/invite/`.length)
  }
  const accept = (token: string, body: object, headers: Record<string, string> = {}) =>
    s.app.inject({
      method: 'POST',
      url: `/api/invites/${token}/accept`,
      payload: body,
      headers,
      remoteAddress: `203.0.113.${++address}`,
    })
  const info = async (token: string) =>
    toTestResponse<InviteInfoJson>(await s.app.inject({ url: `/api/invites/${token}` }))

  it('makes a member of whoever accepts it first, once', async () => {
    const token = await makeInvite()
    assert.deepEqual((await info(token)).json, {
      communityId: s.communityId,
      communityName: 'Test community',
      forMember: null,
      valid: true,
      status: 'open',
    })
    assert.equal((await s.admin.get<InviteJson[]>(invites)).json[0]?.status, 'open')

    const res = await accept(token, { username: 'Carol', password: testPassword, displayName: 'Carol C.' })
    assert.equal(res.statusCode, 200)
    const carol = signedInClient(s.app, res, s.communityId)
    const members = await carol.get<MemberJson[]>(`/api/communities/${s.communityId}/members`)
    const listed = members.json.find((m) => m.username === 'carol')
    assert.equal(listed?.displayName, 'Carol C.')
    assert.deepEqual(listed.roles, ['Member'], 'the default role')

    const again = toTestResponse<ErrorJson>(await accept(token, { username: 'dave', password: testPassword }))
    assert.equal(again.status, 404)
    assert.equal(again.json.error.message, 'invite not found or already used')
    assert.equal(await s.store.users.findForSignIn('dave'), undefined, 'nothing of the second accept is kept')
    assert.equal((await info(token)).json.valid, false)

    const [listedInvite] = (await s.admin.get<InviteJson[]>(invites)).json
    assert.equal(listedInvite?.usedAt, s.clock.now())
    assert.equal(listedInvite.status, 'used')
    assert.equal(listedInvite.createdBy, 'admin')
    assert.equal(listedInvite.url, undefined, 'the link is shown only when made')
  })

  it('lets one of two accepts racing for one link win', async () => {
    const token = await makeInvite()
    const results = await Promise.all([
      accept(token, { username: 'erin', password: testPassword }),
      accept(token, { username: 'frank', password: testPassword }),
    ])
    assert.deepEqual(results.map((r) => r.statusCode).toSorted(), [200, 404])
  })

  it('expires after 7 days', async () => {
    const token = await makeInvite()
    await s.clock.advance(8 * day)
    assert.equal((await info(token)).json.valid, false)
    const listed = await s.admin.get<InviteJson[]>(invites)
    assert.equal(listed.json[0]?.status, 'expired', "decided by the server's clock, not the browser's")
    assert.equal((await accept(token, { username: 'late', password: testPassword })).statusCode, 404)
    assert.equal(await s.store.users.findForSignIn('late'), undefined)
  })

  it('is revoked, while unused, by members holding manage_members: its link stops working', async () => {
    const token = await makeInvite()
    const [open] = (await s.admin.get<InviteJson[]>(invites)).json
    assert.ok(open)
    const bob = await s.member('bob')
    assert.equal((await bob.delete(`${invites}/${open.id}`)).status, 403)

    const revoked = await s.admin.delete<InviteJson>(`${invites}/${open.id}`)
    assert.equal(revoked.status, 200, revoked.text)
    assert.equal(revoked.json.status, 'revoked')
    assert.equal(revoked.json.revokedAt, s.clock.now())
    assert.equal((await s.admin.get<InviteJson[]>(invites)).json.find((i) => i.id === open.id)?.status, 'revoked')
    assert.deepEqual([(await info(token)).json.valid, (await info(token)).json.status], [false, 'revoked'])
    assert.equal((await accept(token, { username: 'late', password: testPassword })).statusCode, 404)
    assert.equal(await s.store.users.findForSignIn('late'), undefined)

    const again = await s.admin.delete<ErrorJson>(`${invites}/${open.id}`)
    assert.equal(again.status, 409)
    assert.match(again.json.error.message, /already revoked/)
    const used = (await s.admin.get<InviteJson[]>(invites)).json.find((i) => i.status === 'used')
    assert.ok(used, 'the invite bob joined with')
    assert.match((await s.admin.delete<ErrorJson>(`${invites}/${used.id}`)).json.error.message, /already used/)
    assert.equal((await s.admin.delete(`${invites}/99999`)).status, 404)
  })

  it('is made and listed only by members holding manage_members', async () => {
    const bob = await s.member('bob')
    const made = await bob.post<ErrorJson>(invites, {})
    assert.equal(made.status, 403)
    assert.equal(made.json.error.code, 'forbidden')
    assert.equal((await bob.get(invites)).status, 403)
    const listed = await s.admin.get<InviteJson[]>(invites)
    assert.equal(listed.json.length, 1, 'only the invite bob joined with')
    assert.equal((await s.app.inject({ method: 'POST', url: invites, payload: {} })).statusCode, 401)
  })

  it('refuses a username that is taken, and an unknown link', async () => {
    const token = await makeInvite()
    const taken = toTestResponse<ErrorJson>(await accept(token, { username: 'admin', password: testPassword }))
    assert.equal(taken.status, 409)
    assert.equal((await info(token)).json.valid, true, 'a refused accept leaves the link usable')
    assert.equal((await info('no-such-link')).status, 404)
    assert.equal((await accept('no-such-link', { username: 'x', password: testPassword })).statusCode, 404)
  })

  it('joins a signed-in user with their own account, and asks anyone else for one', async () => {
    const bob = await s.member('bob')
    const { community: other } = await createCommunityWithKit(s.store, {
      name: 'Other',
      kit: 'testing',
      creator: { username: 'founder' },
      now: s.clock.now(),
    })
    const inviter = await s.store.members.getByUsername(other.id, 'founder')
    assert.ok(inviter)
    const token = 'a-link-into-the-other-community'
    await s.store.invites.create(other.id, {
      tokenHash: createHash('sha256').update(token).digest('hex'),
      createdByMemberId: inviter.id,
      now: s.clock.now(),
      expiresAt: s.clock.now() + day,
    })

    assert.equal((await accept(token, {})).statusCode, 401, 'not signed in and no account given')
    const res = toTestResponse<SessionJson>(
      await accept(token, {}, { cookie: `pk_session=${bob.session.cookie}`, 'x-csrf-token': bob.session.csrfToken }),
    )
    assert.equal(res.status, 200)
    assert.equal(res.json.csrfToken, bob.session.csrfToken, 'the same session goes on')
    assert.deepEqual(
      res.json.memberships.map((m) => m.communityName),
      ['Test community', 'Other'],
    )
    assert.equal((await bob.get(`/api/communities/${other.id}`)).status, 200)
  })

  it('gives an existing member without a dashboard account one, through a claim link', async () => {
    const ada = await s.store.members.create(s.communityId, { username: 'ada', displayName: 'Ada', now: s.clock.now() })
    const made = await s.admin.post<InviteJson>(invites, { member: 'ada' })
    assert.equal(made.status, 201)
    assert.equal(made.json.forMember, 'ada')
    const token = (made.json.url ?? '').slice(`${testPublicUrl}/invite/`.length)
    assert.equal((await info(token)).json.forMember, 'ada')

    const res = toTestResponse<SessionJson>(await accept(token, { username: 'ada.l', password: testPassword }))
    assert.equal(res.status, 200)
    assert.deepEqual(
      res.json.memberships.map((m) => m.memberId),
      [ada.id],
      'the account is linked to the existing member, not to a new one',
    )
    const members = await s.admin.get<MemberJson[]>(`/api/communities/${s.communityId}/members`)
    assert.equal(members.json.filter((m) => m.displayName === 'Ada').length, 1)

    const again = await s.admin.post<ErrorJson>(invites, { member: 'ada' })
    assert.equal(again.status, 409, 'ada signs in with her account now')
    assert.equal((await s.admin.post<ErrorJson>(invites, { member: 'nobody' })).status, 404)
  })

  it('refuses a member joining again', async () => {
    const bob = await s.member('bob')
    const token = await makeInvite()
    const res = await accept(
      token,
      {},
      { cookie: `pk_session=${bob.session.cookie}`, 'x-csrf-token': bob.session.csrfToken },
    )
    assert.equal(res.statusCode, 409)
  })
})
