import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { localPlatform } from '../../../src/domain/user.ts'
import { readSlackCredentials } from '../../../src/platforms/slack/credentials.ts'
import { sessionCookie } from '../../../src/server/auth/session.ts'
import type { SetupStatusJson } from '../../../src/server/presenters.ts'
import type { FakeUser } from '../../fakes/slack/fake-slack.ts'
import { browserSkipReason, launchBrowser, saveScreenshot } from '../../support/browser.ts'
import { assertFounded, assertKitPolicies } from '../../support/fresh-app.ts'
import { createTestApp, setCookie, setCookies, testPassword, toTestResponse } from '../../support/server-harness.ts'
import { startFreshSlackApp, type FreshSlackApp } from '../../support/slack-app.ts'

interface ErrorBody {
  error: { code: string; message: string }
}

const setupCookie = 'pk_slack_setup'

/** Step one as a fresh browser: `GET /platforms/slack/install?setup=…&kit=…`. */
async function startSetup(t: FreshSlackApp, query: { token?: string; kit?: string }, accept?: string) {
  const params = new URLSearchParams({
    setup: query.token ?? t.setupToken,
    ...(query.kit !== undefined && { kit: query.kit }),
  })
  return t.visit(`/platforms/slack/install?${params}`, null, accept === undefined ? {} : { accept })
}

/** Step one, expected to send the browser to Slack: the set-up cookie and the authorize URL. */
async function startedSetup(t: FreshSlackApp, kit: string): Promise<{ cookie: string; authorizeUrl: string }> {
  const res = await startSetup(t, { kit })
  assert.equal(res.status, 302, res.text)
  const cookie = setCookie(res.headers, setupCookie)
  assert.ok(cookie, 'the set-up sets its cookie')
  return { cookie, authorizeUrl: String(res.headers['location']) }
}

async function passwordSetUp(t: FreshSlackApp) {
  return t.app.server.inject({
    method: 'POST',
    url: '/api/setup',
    remoteAddress: '10.8.0.1',
    payload: {
      token: t.setupToken,
      communityName: 'Password club',
      kit: 'testing',
      username: 'mallory',
      password: testPassword,
    },
  })
}

describe('setting PolicyKit up with Slack (first run, democracy kit)', () => {
  let t: FreshSlackApp

  before(async () => {
    t = await startFreshSlackApp({ maxPageSize: 2 })
  })
  after(() => t.close())

  it('offers Slack on the set-up status', async () => {
    const res = await t.visit('/api/setup')
    const status = res.json as SetupStatusJson
    assert.equal(status.needed, true)
    assert.deepEqual(status.platforms, [
      {
        platform: 'slack',
        title: 'Slack',
        setupPath: '/platforms/slack/install',
        place: 'Slack workspace',
        who: 'an admin or owner of the workspace',
        how: 'Install PolicyKit in your Slack workspace',
      },
    ])
  })

  it('refuses a wrong set-up token before any redirect to Slack, with a page for a browser', async () => {
    const page = await startSetup(t, { token: 'guessed', kit: 'democracy' }, 'text/html')
    assert.equal(page.status, 403)
    assert.equal(page.headers['location'], undefined)
    assert.equal(setCookie(page.headers, setupCookie), undefined)
    assert.match(String(page.headers['content-type']), /text\/html/)
    assert.match(page.text, /PolicyKit could not be set up with Slack/)
    assert.match(page.text, /This set-up link is not valid/)
    assert.match(page.text, /<a href="\/">Back to PolicyKit<\/a>/)
    const json = await startSetup(t, { token: 'guessed', kit: 'democracy' })
    assert.equal(json.status, 403)
    assert.equal((json.json as ErrorBody).error.code, 'forbidden')
  })

  it('refuses an unknown or missing kit before any redirect, linking back to the set-up page', async () => {
    const page = await startSetup(t, { kit: 'anarchy' }, 'text/html')
    assert.equal(page.status, 400)
    assert.equal(page.headers['location'], undefined)
    assert.match(page.text, /there is no kit &#39;anarchy&#39;/)
    assert.ok(page.text.includes(`href="/setup?token=${encodeURIComponent(t.setupToken)}"`), 'back to set-up')
    const missing = await startSetup(t, {})
    assert.equal(missing.status, 400)
    assert.match((missing.json as ErrorBody).error.message, /Choose one of the starter kits/)
    assert.deepEqual(t.fake.callsTo('oauth.v2.access'), [])
  })

  it('sends the browser to Slack with a set-up state (no token in it) and a short-lived HttpOnly cookie', async () => {
    const res = await startSetup(t, { kit: 'democracy' })
    assert.equal(res.status, 302)
    const url = new URL(String(res.headers['location']))
    assert.equal(url.origin + url.pathname, t.fake.authorizeUrl)
    assert.equal(url.searchParams.get('redirect_uri'), `${t.baseUrl}/platforms/slack/oauth/callback`)
    assert.match(url.searchParams.get('state') ?? '', /^setup\./)
    assert.equal(url.searchParams.get('team'), null)
    assert.ok(!url.href.includes(t.setupToken), 'the set-up token is not sent to Slack')
    const cookie = setCookies(res.headers).find((c) => c.startsWith(`${setupCookie}=`)) ?? ''
    assert.match(cookie, /HttpOnly/i)
    assert.match(cookie, /SameSite=Lax/i)
    assert.match(cookie, /Path=\/platforms\/slack\/oauth/)
    assert.match(cookie, /Max-Age=600/)
  })

  it('refuses a callback without the set-up cookie, or with another set-up’s cookie, and stores nothing', async () => {
    const { authorizeUrl } = await startedSetup(t, 'democracy')
    const callback = t.authorize(authorizeUrl, t.slackAdmin)
    const bare = await t.visit(callback)
    assert.equal(bare.status, 403)
    assert.match((bare.json as ErrorBody).error.message, /not started in this browser/)

    const other = await startedSetup(t, 'democracy')
    const crossed = await t.visit(callback, null, { cookie: other.cookie })
    assert.equal(crossed.status, 403)
    assert.equal(setCookie(crossed.headers, sessionCookie), undefined)
    assert.deepEqual(await t.app.store.communities.listAll(), [])
    assert.equal(t.fake.callsTo('oauth.v2.access').length, 0, 'the code was not even exchanged')
  })

  it('refuses an installer who is not a workspace admin or owner, and creates nothing', async () => {
    const { cookie, authorizeUrl } = await startedSetup(t, 'democracy')
    const callback = t.authorize(authorizeUrl, t.slackUsers[0] as FakeUser)
    const res = await t.visit(callback, null, { cookie })
    assert.equal(res.status, 403)
    assert.match((res.json as ErrorBody).error.message, /Only an admin or owner of the Slack workspace/)
    assert.equal(setCookie(res.headers, sessionCookie), undefined)
    assert.deepEqual(await t.app.store.communities.listAll(), [])
    assert.equal(await t.app.store.users.findForSignIn('bob'), undefined)
    assert.equal((await t.setupStatus()).needed, true)
  })

  it('founds the community from the workspace: kit, founder as admin, integration on, members, signed in', async () => {
    const { store } = t.app
    const { cookie, authorizeUrl } = await startedSetup(t, 'democracy')
    // A second set-up, started meanwhile in another tab: it must not make a second community.
    const late = await startedSetup(t, 'testing')

    const res = await t.visit(t.authorize(authorizeUrl, t.slackAdmin), null, { cookie })
    assert.equal(res.status, 302, res.text)
    // The kit's policies, the founder (the installing Slack admin) an Admin, the integration on, signed in.
    const { community, founder, session } = await assertFounded(t, res, {
      name: t.fake.workspace.team.name,
      kit: 'democracy',
      platform: 'slack',
      founderAccount: t.slackAdmin.id,
      externalId: t.fake.workspace.team.id,
    })
    assert.equal(founder.username, 'ada')
    assert.equal(founder.displayName, 'Ada Admin')

    // The integration is on at once (no addIntegration vote, though the kit would hold one).
    const [integration] = await store.integrations.list(community.id)
    assert.ok(integration)
    assert.deepEqual(integration.config, {
      teamName: t.fake.workspace.team.name,
      botUserId: t.fake.bot.id,
      appId: t.fake.workspace.appId,
    })
    const credentials = readSlackCredentials(await store.integrations.getCredentials(community.id, integration.id))
    assert.equal(credentials.installerUserId, t.slackAdmin.id)
    assert.doesNotMatch(JSON.stringify(await store.db.selectFrom('integrations').selectAll().execute()), /xox[bp]-/)
    assert.deepEqual(await store.actions.list(community.id), [])

    // The workspace's people are members (page by page), the bot is not.
    for (const user of t.slackUsers) {
      assert.equal((await store.members.findByAccount(community.id, 'slack', user.id))?.username, user.name)
    }
    assert.equal(await store.members.findByAccount(community.id, 'slack', t.fake.bot.id), undefined)
    assert.equal((await store.members.list(community.id)).length, 1 + t.slackUsers.length)

    // The browser is signed in as the founder, whose login is linked with a `local` account.
    const local = (await store.members.accounts(community.id, founder.id)).find((a) => a.platform === localPlatform)
    assert.equal(local?.externalId, String(session.user.id))
    assert.equal(setCookie(res.headers, setupCookie), undefined, 'the set-up cookie is cleared')

    // The set-up token is used up, in both flows.
    const lateRes = await t.visit(t.authorize(late.authorizeUrl, t.slackAdmin), null, { cookie: late.cookie })
    assert.equal(lateRes.status, 403)
    assert.match((lateRes.json as ErrorBody).error.message, /already set up/)
    const again = await startSetup(t, { kit: 'democracy' })
    assert.equal(again.status, 403)
    assert.equal((await passwordSetUp(t)).statusCode, 403)
    assert.equal((await store.communities.listAll()).length, 1)
    assert.equal((await t.setupStatus()).needed, false)
  })

  it('lets the founder sign in with Slack again as the same user; their login has no usable password', async () => {
    const [community] = await t.app.store.communities.listAll()
    const founder = await t.app.store.members.findByAccount(community?.id ?? 0, 'slack', t.slackAdmin.id)
    const start = await t.visit('/platforms/slack/signin')
    const cookie = setCookie(start.headers, 'pk_slack_signin')
    assert.ok(cookie)
    const res = await t.visit(t.authorize(String(start.headers['location']), t.slackAdmin), null, { cookie })
    assert.equal(res.status, 302)
    const session = await t.sessionOf(res)
    assert.equal(session?.memberships[0]?.memberId, founder?.id)
    const password = await t.app.server.inject({
      method: 'POST',
      url: '/api/session',
      remoteAddress: '10.8.0.2',
      payload: { username: session?.user.username, password: testPassword },
    })
    assert.equal(password.statusCode, 401)
  })
})

describe('the set-up status without Slack', () => {
  it('lists no platforms to set up from', async () => {
    const t = await createTestApp()
    try {
      const res = toTestResponse<SetupStatusJson>(await t.app.inject({ url: '/api/setup' }))
      assert.deepEqual(res.json.platforms, [])
    } finally {
      await t.close()
    }
  })
})

describe('Set up with Slack on the set-up page (Chromium)', { skip: browserSkipReason() ?? false }, () => {
  it('chooses a kit from the keyboard and lands signed in on the new community', async () => {
    const t = await startFreshSlackApp()
    const chromium = await launchBrowser()
    try {
      const context = await chromium.browser.newContext({ baseURL: t.baseUrl })
      const page = await context.newPage()
      await page.goto(`/setup?${new URLSearchParams({ token: t.setupToken })}`)
      await page.getByRole('heading', { name: 'Set up with Slack' }).waitFor()
      // What founding from Slack means, in Slack's own words (its links.setup).
      assert.equal(
        await page.getByRole('region', { name: 'Set up with Slack' }).getByRole('paragraph').first().textContent(),
        'Install PolicyKit in your Slack workspace instead: the community is named after the Slack workspace, its ' +
          'people become members, and you sign in with Slack. Only an admin or owner of the workspace can do this. ' +
          'Communities made later connect Slack from their settings.',
      )
      const kits = page.getByRole('group', { name: 'Starter kit for the Slack community' })
      // Radio buttons move with the arrow keys: from Moderators to Democracy.
      await kits.getByLabel('Moderators').check()
      await page.keyboard.press('ArrowDown')
      assert.equal(await kits.getByLabel('Democracy').isChecked(), true)
      await saveScreenshot(page, 'setup-with-slack')
      const link = page.getByRole('link', { name: 'Set up with Slack' })
      await link.focus()
      await page.keyboard.press('Enter')
      await page.getByRole('button', { name: `Allow as ${t.slackAdmin.realName}` }).click()
      await page.waitForURL((url) => url.pathname.startsWith('/c/'))
      await page.getByRole('heading', { name: 'Pending proposals' }).waitFor()

      const [community] = await t.app.store.communities.listAll()
      assert.ok(community)
      assert.equal(community.name, t.fake.workspace.team.name)
      assert.equal(new URL(page.url()).pathname, `/c/${community.id}`)
      await assertKitPolicies(t.app.store, community.id, 'democracy')
    } finally {
      await chromium.close()
      await t.close()
    }
  })
})
