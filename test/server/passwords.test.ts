import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { ErrorJson, InviteJson } from '../../src/server/presenters.ts'
import {
  createTestApp,
  sessionCookieOf,
  startTestServer,
  testPassword,
  testSetupToken,
  type TestServer,
} from '../support/server-harness.ts'

/** The passwords NIST SP 800-63B says to refuse, with the message each gets. */
const refused: { password: string; message: RegExp }[] = [
  { password: 'Password1', message: /most common passwords/ },
  { password: 'qwertyuiop', message: /most common passwords/ },
  { password: 'zzzzzzzzzzzz', message: /one character repeated/ },
  { password: 'AdaLovelace', message: /must not be your username/ },
]

function assertRefused(res: { statusCode: number; body: string }, message: RegExp): void {
  assert.equal(res.statusCode, 400, res.body)
  const json = JSON.parse(res.body) as ErrorJson
  const issue = json.error.issues?.find((i) => i.path === 'password' || i.path === 'newPassword')
  assert.ok(issue, res.body)
  assert.match(issue.message, message)
}

describe('passwords people choose', () => {
  it('refuses common, one-character and username passwords at set-up, and takes a passphrase', async () => {
    const t = await createTestApp()
    try {
      const setUp = (password: string) =>
        t.app.inject({
          method: 'POST',
          url: '/api/setup',
          payload: { token: testSetupToken, communityName: 'c', kit: 'testing', username: 'adalovelace', password },
        })
      for (const { password, message } of refused) {
        assertRefused(await setUp(password), message)
      }
      assert.deepEqual(await t.store.communities.listAll(), [])
      // No composition rules: lower-case words with spaces are fine.
      assert.equal((await setUp('tulip marble orbit')).statusCode, 200)
    } finally {
      await t.close()
    }
  })

  describe('on invite and claim links, and when changing one', () => {
    let s: TestServer
    let address = 0
    const from = () => `203.0.113.${++address}`
    before(async () => {
      s = await startTestServer({ kit: 'testing' })
    })
    after(() => s.close())

    async function link(body: object): Promise<string> {
      const invite = await s.admin.post<InviteJson>(`/api/communities/${s.communityId}/invites`, body)
      assert.equal(invite.status, 201, invite.text)
      return invite.json.url?.split('/').pop() ?? ''
    }

    const accept = (token: string, password: string) =>
      s.app.inject({
        method: 'POST',
        url: `/api/invites/${token}/accept`,
        remoteAddress: from(),
        payload: { username: 'adalovelace', password },
      })

    it('refuses them when accepting an invite or a claim link', async () => {
      const invite = await link({})
      await s.store.members.create(s.communityId, { username: 'grace', now: 1 })
      const claim = await link({ member: 'grace' })
      for (const token of [invite, claim]) {
        for (const { password, message } of refused) {
          assertRefused(await accept(token, password), message)
        }
      }
      assert.equal(await s.store.users.findForSignIn('adalovelace'), undefined)
      assert.equal((await accept(claim, 'tulip marble orbit')).statusCode, 200)
    })

    it('changes a password with the current one and ends the other sessions', async () => {
      const bea = await s.member('bea-smith')
      const signIn = (password: string) =>
        s.app.inject({
          method: 'POST',
          url: '/api/session',
          remoteAddress: from(),
          payload: { username: 'bea-smith', password },
        })
      const elsewhere = await signIn(testPassword)
      assert.equal(elsewhere.statusCode, 200)
      const change = (body: object) => bea.put<ErrorJson>('/api/session/password', body)

      const wrong = await change({ currentPassword: 'not it at all', newPassword: 'tulip marble orbit' })
      assert.equal(wrong.status, 400)
      assert.match(wrong.json.error.message, /not your current password/)
      for (const { password, message } of refused.slice(0, 3)) {
        const res = await change({ currentPassword: testPassword, newPassword: password })
        assertRefused({ statusCode: res.status, body: res.text }, message)
      }
      const same = await change({ currentPassword: testPassword, newPassword: 'Bea-Smith' })
      assert.equal(same.status, 400)
      assert.match(same.json.error.message, /newPassword: must not be your username/)

      const ok = await change({ currentPassword: testPassword, newPassword: 'tulip marble orbit' })
      assert.equal(ok.status, 204, ok.text)
      assert.equal(ok.headers['cache-control'], 'no-store')
      assert.equal((await bea.get('/api/session')).status, 200, 'this session goes on')
      const other = await s.app.inject({ url: '/api/session', cookies: { pk_session: sessionCookieOf(elsewhere) } })
      assert.equal(other.statusCode, 401, 'the other session ended')
      assert.equal((await signIn(testPassword)).statusCode, 401)
      assert.equal((await signIn('tulip marble orbit')).statusCode, 200)
    })

    it('refuses an API token (a leaked token must not take the account)', async () => {
      const token = await s.admin.post<{ token: string }>(`/api/communities/${s.communityId}/tokens`, { name: 'ci' })
      const res = await s.app.inject({
        method: 'PUT',
        url: '/api/session/password',
        headers: { authorization: `Bearer ${token.json.token}` },
        payload: { currentPassword: testPassword, newPassword: 'tulip marble orbit' },
      })
      assert.equal(res.statusCode, 403, res.body)
    })
  })
})
