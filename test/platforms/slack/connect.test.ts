import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { readSlackCredentials } from '../../../src/platforms/slack/credentials.ts'
import { slackBotEvents } from '../../../src/platforms/slack/listen/event-subscriptions.ts'
import { slackLifecycleEvents } from '../../../src/platforms/slack/listen/lifecycle.ts'
import { slackTriggers } from '../../../src/platforms/slack/listen/triggers.ts'
import { slackBotScopes, slackUserScopes } from '../../../src/platforms/slack/connect/scopes.ts'
import { sessionCookie } from '../../../src/server/auth/session.ts'
import type {
  ConnectablePlatformJson,
  IntegrationJson,
  ProposeResultJson,
  SignInProviderJson,
} from '../../../src/server/presenters.ts'
import type { FakeUser } from '../../fakes/slack/fake-slack.ts'
import { browserSkipReason, launchBrowser, saveScreenshot, signedInPage } from '../../support/browser.ts'
import {
  otherCommunity,
  setCookie,
  signedInClient,
  testPassword,
  toTestResponse,
} from '../../support/server-harness.ts'
import { startSlackApp, type SlackTestApp } from '../../support/slack-app.ts'

interface ErrorBody {
  error: { code: string; message: string }
}

const signInCookie = 'pk_slack_signin'

/** A fresh browser: `GET /platforms/slack/signin`, Slack's authorize page approved as `user`. */
async function startSignIn(t: SlackTestApp): Promise<{ cookie: string; authorizeUrl: string }> {
  const res = await t.visit('/platforms/slack/signin')
  assert.equal(res.status, 302)
  const cookie = setCookie(res.headers, signInCookie)
  const location = res.headers['location']
  assert.ok(cookie, 'the sign-in sets its state cookie')
  assert.equal(typeof location, 'string')
  return { cookie, authorizeUrl: String(location) }
}

async function signInAs(t: SlackTestApp, user: FakeUser) {
  const { cookie, authorizeUrl } = await startSignIn(t)
  const callback = t.authorize(authorizeUrl, user)
  return t.visit(callback, null, { cookie })
}

async function memberOfSlackUser(t: SlackTestApp, user: FakeUser) {
  return t.app.store.members.findByAccount(t.communityId, 'slack', user.id)
}

/** The bot and user tokens of the last `oauth.v2.access` the fake answered. */
function grantedTokens(t: SlackTestApp): { bot: string; user: string } {
  const response = t.fake.callsTo('oauth.v2.access').at(-1)?.response
  const bot = response?.['access_token']
  const user = (response?.['authed_user'] as { access_token?: unknown } | undefined)?.access_token
  assert.ok(typeof bot === 'string' && typeof user === 'string')
  return { bot, user }
}

async function tokenWorks(t: SlackTestApp, token: string): Promise<boolean> {
  const res = await fetch(`${t.fake.apiUrl}auth.test`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  })
  return ((await res.json()) as { ok: boolean }).ok
}

describe('connecting Slack (OAuth v2 install, testing kit)', () => {
  let t: SlackTestApp

  before(async () => {
    t = await startSlackApp({ maxPageSize: 2 })
  })
  after(() => t.close())

  it('lists Slack as a sign-in provider and, to managers, as a platform to connect', async () => {
    const providers = await t.visit('/api/auth/providers')
    assert.deepEqual(providers.json, [{ platform: 'slack', title: 'Slack', url: '/platforms/slack/signin' }])
    const connectable = await t.admin.get<ConnectablePlatformJson[]>(
      `/api/communities/${t.communityId}/integrations/connectable`,
    )
    assert.deepEqual(connectable.json, [
      { platform: 'slack', title: 'Slack', installUrl: `/platforms/slack/install?community=${t.communityId}` },
    ])
  })

  it('sends the admin to Slack with the scopes, the redirect URL and a state', async () => {
    const res = await t.startInstall(t.admin)
    assert.equal(res.status, 302)
    const url = new URL(String(res.headers['location']))
    assert.equal(url.origin + url.pathname, t.fake.authorizeUrl)
    assert.equal(url.searchParams.get('client_id'), t.fake.clientId)
    assert.deepEqual(url.searchParams.get('scope')?.split(','), [...slackBotScopes])
    assert.deepEqual(url.searchParams.get('user_scope')?.split(','), [...slackUserScopes])
    assert.equal(url.searchParams.get('redirect_uri'), `${t.baseUrl}/platforms/slack/oauth/callback`)
    assert.ok((url.searchParams.get('state') ?? '').length > 20)
  })

  it('refuses to start without a session, and answers a browser with a page', async () => {
    const json = await t.visit(`/platforms/slack/install?community=${t.communityId}`)
    assert.equal(json.status, 401)
    assert.equal((json.json as ErrorBody).error.code, 'unauthenticated')
    const page = await t.visit(`/platforms/slack/install?community=${t.communityId}`, null, { accept: 'text/html' })
    assert.equal(page.status, 401)
    assert.match(String(page.headers['content-type']), /text\/html/)
    assert.match(page.text, /Sign in to PolicyKit first/)
  })

  it('refuses an installer who is not a workspace admin or owner, and stores nothing', async () => {
    const start = await t.startInstall(t.admin)
    const callback = t.authorize(String(start.headers['location']), t.slackUsers[0] as FakeUser)
    const res = await t.visit(callback, t.admin)
    assert.equal(res.status, 403)
    assert.match((res.json as ErrorBody).error.message, /Only an admin or owner of the Slack workspace/)
    assert.deepEqual(await t.app.store.integrations.list(t.communityId), [])
    assert.equal((await t.app.store.members.list(t.communityId)).length, 1, 'no member imported')
    // The tokens Slack granted do not outlive the refusal.
    const granted = grantedTokens(t)
    assert.deepEqual(
      t.fake
        .callsTo('auth.revoke')
        .map((c) => c.token)
        .sort(),
      [granted.bot, granted.user].sort(),
    )
    assert.equal(await tokenWorks(t, granted.user), false)
    assert.equal(await tokenWorks(t, granted.bot), false)
  })

  it('refuses a callback that comes back to another session', async () => {
    const start = await t.startInstall(t.admin)
    const callback = t.authorize(String(start.headers['location']), t.slackAdmin)
    // The same person signed in again elsewhere: another session, so the state is not theirs.
    const again = await t.app.server.inject({
      method: 'POST',
      url: '/api/session',
      remoteAddress: '10.9.0.1',
      payload: { username: 'admin', password: testPassword },
    })
    const otherSession = signedInClient(t.app.server, again, t.communityId)
    const res = await t.visit(callback, otherSession)
    assert.equal(res.status, 403)
    assert.match((res.json as ErrorBody).error.message, /not started in this session/)
    const anonymous = await t.visit(callback)
    assert.equal(anonymous.status, 403)
    assert.deepEqual(await t.app.store.integrations.list(t.communityId), [])
  })

  it('refuses a state that was tampered with', async () => {
    const start = await t.startInstall(t.admin)
    const authorizeUrl = new URL(String(start.headers['location']))
    const state = authorizeUrl.searchParams.get('state') ?? ''
    const [body = '', mac = ''] = state.split('.')
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, unknown>
    const forged = Buffer.from(JSON.stringify({ ...payload, c: 99 })).toString('base64url')
    authorizeUrl.searchParams.set('state', `${forged}.${mac}`)
    const res = await t.visit(t.authorize(authorizeUrl.href, t.slackAdmin), t.admin)
    assert.equal(res.status, 403)
    assert.deepEqual(await t.app.store.integrations.list(t.communityId), [])
  })

  it('connects the workspace: integration active, members imported, installer linked to the admin', async () => {
    const { integration, location } = await t.installSlack()
    assert.equal(location, `/c/${t.communityId}/settings?connected=slack&activation=active`)
    assert.equal(integration.externalId, t.fake.workspace.team.id)
    assert.equal(integration.active, true)
    assert.deepEqual(integration.config, {
      teamName: t.fake.workspace.team.name,
      botUserId: t.fake.bot.id,
      appId: t.fake.workspace.appId,
    })
    // Through PolicyKit's governance: an addIntegration action by the admin, passed by the kit's policy.
    const actions = await t.app.store.actions.list(t.communityId)
    const add = actions.find((a) => a.type === 'constitution.addIntegration')
    assert.equal(add?.initiatorId, t.admin.memberId)

    const installer = await memberOfSlackUser(t, t.slackAdmin)
    assert.equal(installer?.id, t.admin.memberId, "the installer's Slack account is the admin's")
    for (const user of t.slackUsers) {
      const member = await memberOfSlackUser(t, user)
      assert.equal(member?.username, user.name)
    }
    assert.equal(await memberOfSlackUser(t, t.fake.bot), undefined, 'the bot is not a member')
    assert.equal(
      await t.app.store.members.findByAccount(t.communityId, 'slack', 'USLACKBOT'),
      undefined,
      'Slackbot is not a member',
    )
    assert.equal((await t.app.store.members.list(t.communityId)).length, 1 + t.slackUsers.length)
    assert.ok(t.fake.callsTo('users.list').length > 1, 'users.list was followed page by page')

    const listed = await t.admin.get<IntegrationJson[]>(`/api/communities/${t.communityId}/integrations`)
    assert.equal(listed.json[0]?.active, true)
  })

  it('keeps the tokens encrypted at rest', async () => {
    const rows = await t.app.store.db.selectFrom('integrations').selectAll().execute()
    assert.equal(rows.length, 1)
    const raw = JSON.stringify(rows)
    assert.doesNotMatch(raw, /xox[bp]-/)
    const [row] = await t.app.store.integrations.list(t.communityId)
    const credentials = readSlackCredentials(await t.app.store.integrations.getCredentials(t.communityId, row?.id ?? 0))
    assert.match(credentials.botToken, /^xoxb-/)
    assert.match(credentials.userToken, /^xoxp-/)
    assert.equal(credentials.installerUserId, t.slackAdmin.id)
  })

  it('reinstalling refreshes the credentials and makes no second integration', async () => {
    const before = await t.app.store.members.list(t.communityId)
    await t.installSlack()
    assert.equal((await t.app.store.integrations.list(t.communityId)).length, 1)
    assert.equal((await t.app.store.members.list(t.communityId)).length, before.length)
  })

  it('signs a workspace member in with Slack as their member, with a new dashboard user', async () => {
    const bob = t.slackUsers[0] as FakeUser
    const res = await signInAs(t, bob)
    assert.equal(res.status, 302)
    assert.equal(res.headers['location'], `/c/${t.communityId}`)
    const session = await t.sessionOf(res)
    const member = await memberOfSlackUser(t, bob)
    assert.deepEqual(
      session?.memberships.map((m) => [m.communityId, m.memberId]),
      [[t.communityId, member?.id]],
    )
    // Linked for good: the next sign-in is the same user.
    const again = await signInAs(t, bob)
    const second = await t.sessionOf(again)
    assert.equal(second?.user.id, session?.user.id)
    // No password was set: the password sign-in for that user fails as a wrong password does.
    const password = await t.app.server.inject({
      method: 'POST',
      url: '/api/session',
      remoteAddress: '10.9.0.2',
      payload: { username: session?.user.username, password: testPassword },
    })
    assert.equal(password.statusCode, 401)
  })

  it("signs the installer in as the dashboard admin (their linked member's user)", async () => {
    const res = await signInAs(t, t.slackAdmin)
    const session = await t.sessionOf(res)
    assert.equal(session?.user.id, t.admin.userId)
  })

  it('signs in someone who joined the workspace after the install, as a new member', async () => {
    const erin = t.fake.addUser({ name: 'erin', realName: 'Erin Late' })
    const res = await signInAs(t, erin)
    assert.equal(res.status, 302)
    const member = await memberOfSlackUser(t, erin)
    assert.equal(member?.displayName, 'Erin Late')
    const session = await t.sessionOf(res)
    assert.equal(session?.memberships[0]?.memberId, member?.id)
  })

  it('signs nobody in from a forged or tampered callback', async () => {
    const bob = t.slackUsers[0] as FakeUser
    // A callback link sent to someone else's browser: no sign-in cookie there.
    const { authorizeUrl } = await startSignIn(t)
    const stolen = await t.visit(t.authorize(authorizeUrl, bob))
    assert.equal(stolen.status, 403)
    assert.match((stolen.json as ErrorBody).error.message, /not started in this browser/)
    assert.equal(setCookie(stolen.headers, sessionCookie), undefined)

    // The right cookie but another state.
    const a = await startSignIn(t)
    const otherState = new URL(t.authorize(a.authorizeUrl, bob))
    otherState.searchParams.set('state', 'made-up')
    const wrongState = await t.visit(otherState.href, null, { cookie: a.cookie })
    assert.equal(wrongState.status, 403)
    assert.equal(setCookie(wrongState.headers, sessionCookie), undefined)

    // A made-up code with a genuine state: Slack refuses it.
    const b = await startSignIn(t)
    const made = new URL(t.authorize(b.authorizeUrl, bob))
    made.searchParams.set('code', 'not-a-code')
    made.searchParams.set('user_id', bob.id)
    const madeUp = await t.visit(made.href, null, { cookie: b.cookie })
    assert.equal(madeUp.status, 502)
    assert.match((madeUp.json as ErrorBody).error.message, /invalid_code/)
    assert.equal(setCookie(madeUp.headers, sessionCookie), undefined)

    // A code Slack issued for another sign-in (another nonce), replayed with this browser's state.
    const c = await startSignIn(t)
    const d = await startSignIn(t)
    const swapped = new URL(d.authorizeUrl)
    swapped.searchParams.set('state', new URL(c.authorizeUrl).searchParams.get('state') ?? '')
    const replayed = await t.visit(t.authorize(swapped.href, bob), null, { cookie: c.cookie })
    assert.equal(replayed.status, 403)
    assert.match((replayed.json as ErrorBody).error.message, /could not be verified/)
    assert.equal(setCookie(replayed.headers, sessionCookie), undefined)

    // The signed cookie itself altered.
    const e = await startSignIn(t)
    const callback = t.authorize(e.authorizeUrl, bob)
    const altered = await t.visit(callback, null, { cookie: `${e.cookie.slice(0, -2)}xx` })
    assert.equal(altered.status, 403)
    assert.equal(setCookie(altered.headers, sessionCookie), undefined)
    // A browser is shown a page that leads back to sign-in.
    const page = await t.visit(callback, null, { cookie: `${e.cookie.slice(0, -2)}xx`, accept: 'text/html' })
    assert.equal(page.status, 403)
    assert.match(page.text, /Slack could not sign you in/)
    assert.match(page.text, /href="\/login"/)
  })

  it('lets platform routes ignore a session cookie without CSRF token instead of refusing the request', async () => {
    const res = await t.app.server.inject({
      method: 'POST',
      url: '/platforms/slack/no-such-route',
      headers: { cookie: `${sessionCookie}=${t.admin.session.cookie}` },
    })
    assert.equal(res.statusCode, 404)
    assert.match(String(res.headers['content-type']), /application\/json/)
    // Nor does the dashboard's fallback answer under /platforms.
    const get = await t.visit('/platforms/slack/no-such-page', null, { accept: 'text/html' })
    assert.equal(get.status, 404)
    assert.doesNotMatch(get.text, /id="root"/)
  })

  it('disconnects through constitution.removeIntegration; then Slack sign-in is refused', async () => {
    const [integration] = await t.app.store.integrations.list(t.communityId)
    const res = await t.admin.post<ProposeResultJson>(`/api/communities/${t.communityId}/actions`, {
      type: 'constitution.removeIntegration',
      params: { integrationId: integration?.id },
    })
    assert.equal(res.status, 201)
    assert.equal(res.json.status, 'passed')
    const [after] = await t.app.store.integrations.list(t.communityId)
    assert.equal(after?.active, false)

    const signIn = await signInAs(t, t.slackUsers[1] as FakeUser)
    assert.equal(signIn.status, 404)
    assert.match((signIn.json as ErrorBody).error.message, /is not connected to a PolicyKit community/)
    assert.equal(setCookie(signIn.headers, sessionCookie), undefined)

    // Connecting again is governed again: reactivated by a new addIntegration.
    const { integration: again } = await t.installSlack()
    assert.equal(again.active, true)
    assert.equal(again.id, integration?.id)
  })

  it('refuses a workspace that is connected to another community', async () => {
    const { store } = t.app
    const { communityId, client: other } = await otherCommunity(t.app, t.clock.now(), '10.9.0.3')
    const start = await t.startInstall(other, communityId)
    assert.equal(start.status, 302)
    const otherAdmin = t.fake.addUser({ name: 'otheradmin', admin: true })
    const revokedBefore = t.fake.callsTo('auth.revoke').length
    const res = await t.visit(t.authorize(String(start.headers['location']), otherAdmin), other)
    assert.equal(res.status, 409)
    assert.match((res.json as ErrorBody).error.message, /already connected to another PolicyKit community/)
    assert.deepEqual(await store.integrations.list(communityId), [])
    // The new admin's token is revoked; the bot token, which Slack keeps across installs and the
    // connected community uses, is not.
    const granted = grantedTokens(t)
    assert.deepEqual(
      t.fake
        .callsTo('auth.revoke')
        .slice(revokedBefore)
        .map((c) => c.token),
      [granted.user],
    )
    const [connected] = await store.integrations.list(t.communityId)
    assert.ok(connected)
    const stored = readSlackCredentials(await store.integrations.getCredentials(t.communityId, connected.id))
    assert.equal(stored.botToken, granted.bot)
    assert.equal(await tokenWorks(t, stored.botToken), true)
    assert.equal(await tokenWorks(t, stored.userToken), true)
  })
})

describe('connecting Slack where constitution actions go to a vote (democracy kit)', () => {
  let t: SlackTestApp

  before(async () => {
    t = await startSlackApp({ kit: 'democracy' })
  })
  after(() => t.close())

  it('refuses to start an install for a member without manage_integrations', async () => {
    const member = await t.member('mia')
    const res = await t.startInstall(member)
    assert.equal(res.status, 403)
    assert.match((res.json as ErrorBody).error.message, /manage_integrations/)
  })

  it('stores the integration inactive and leaves its activation to the vote', async () => {
    const { integration, location } = await t.installSlack()
    assert.equal(integration.active, false)
    const query = new URL(location, t.baseUrl).searchParams
    assert.equal(query.get('activation'), 'proposed')
    const proposal = await t.app.store.proposals.get(t.communityId, Number(query.get('proposal')))
    assert.equal(proposal?.status, 'proposed')
    // Members are imported all the same, and Slack sign-in waits for the activation.
    assert.ok(await memberOfSlackUser(t, t.slackUsers[0] as FakeUser))
    const signIn = await signInAs(t, t.slackUsers[0] as FakeUser)
    assert.equal(signIn.status, 404)
  })
})

describe('Slack routes when Slack is not configured', () => {
  it('has no sign-in providers and no Slack routes', async () => {
    const { startTestServer } = await import('../../support/server-harness.ts')
    const server = await startTestServer()
    try {
      const providers = await server.app.inject({ method: 'GET', url: '/api/auth/providers' })
      assert.deepEqual(toTestResponse<SignInProviderJson[]>(providers).json, [])
      const install = await server.admin.get(`/platforms/slack/install?community=${server.communityId}`)
      assert.equal(install.status, 404)
    } finally {
      await server.close()
    }
  })
})

describe('the README on creating the Slack app', () => {
  it('lists exactly the scopes the install asks for', async () => {
    const { readFile } = await import('node:fs/promises')
    const readme = await readFile(new URL('../../../README.md', import.meta.url), 'utf8')
    const listed = (label: string) => {
      const start = readme.indexOf(`  - ${label}`)
      assert.ok(start >= 0, `README has a "${label}" line`)
      const end = readme.indexOf('\n  - ', start + 1)
      return [...readme.slice(start, end).matchAll(/`([a-z.:_]+)`/g)].map((m) => m[1])
    }
    assert.deepEqual(listed('Bot Token Scopes:'), [...slackBotScopes])
    assert.deepEqual(listed('User Token Scopes ('), [...slackUserScopes])
  })

  it('lists exactly the bot events the app subscribes to, each of which PolicyKit handles', async () => {
    const { readFile } = await import('node:fs/promises')
    const readme = await readFile(new URL('../../../README.md', import.meta.url), 'utf8')
    const start = readme.indexOf('Subscribe to bot events')
    assert.ok(start >= 0, 'README has a "Subscribe to bot events" line')
    const end = readme.indexOf('\n- ', start)
    const listed = [...readme.slice(start, end).matchAll(/`([a-z._]+)`/g)].map((m) => m[1])
    assert.deepEqual(listed, [...slackBotEvents])
    // message.channels and message.groups deliver `message` events.
    const delivered = new Set(slackBotEvents.map((name) => name.split('.')[0] ?? name))
    assert.deepEqual([...delivered].toSorted(), [...Object.keys(slackTriggers), ...slackLifecycleEvents].toSorted())
  })
})

describe('connecting Slack in the dashboard (Chromium)', { skip: browserSkipReason() ?? false }, () => {
  it('connects, disconnects and reactivates from settings, and signs a member in with Slack', async () => {
    const t = await startSlackApp()
    const chromium = await launchBrowser()
    try {
      const page = await signedInPage(chromium, t.baseUrl)

      await page.goto(`/c/${t.communityId}/settings`)
      await page.getByRole('link', { name: 'Connect Slack' }).click()
      // The fake's authorize page: approve as the workspace admin.
      await page.getByRole('button', { name: `Allow as ${t.slackAdmin.realName}` }).click()
      await page.getByText('Slack is connected.').waitFor()
      await page.getByRole('cell', { name: t.fake.workspace.team.name }).waitFor()
      await page.getByRole('cell', { name: 'Active', exact: true }).waitFor()
      await saveScreenshot(page, 'slack-connected')

      await page.getByRole('button', { name: 'Disconnect slack' }).click()
      await page.getByText('Done: disconnecting slack.').waitFor()
      await page.getByRole('cell', { name: 'Inactive', exact: true }).waitFor()
      const [integration] = await t.app.store.integrations.list(t.communityId)
      assert.equal(integration?.active, false)

      await page.getByRole('button', { name: 'Activate slack' }).click()
      await page.getByText('Done: activating slack.').waitFor()
      await page.getByRole('cell', { name: 'Active', exact: true }).waitFor()

      // Imported members have no dashboard login: the admin can hand one a sign-in link.
      await page.goto(`/c/${t.communityId}/members`)
      await page.getByRole('button', { name: 'Sign-in link for carol' }).click()
      const link = await page.getByLabel(/Sign-in link for carol/).inputValue()
      assert.match(link, /\/invite\/[\w-]+$/)
      assert.equal(await page.getByRole('button', { name: 'Sign-in link for admin' }).count(), 0, 'admin has a login')

      const member = await chromium.browser.newContext({ baseURL: t.baseUrl })
      const bob = await member.newPage()
      await bob.goto('/login')
      await bob.getByRole('link', { name: 'Sign in with Slack' }).click()
      await bob.getByRole('button', { name: `Allow as ${(t.slackUsers[0] as FakeUser).realName}` }).click()
      await bob.waitForURL((url) => url.pathname === `/c/${t.communityId}`)
      await bob.getByRole('heading', { name: 'Pending proposals' }).waitFor()
    } finally {
      await chromium.close()
      await t.close()
    }
  })
})
