import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { discourseCredentials } from '../../../src/platforms/discourse/credentials.ts'
import { discourseWebhookSecret } from '../../../src/platforms/discourse/webhook-secret.ts'
import { startFakeDiscourse, type FakeDiscourse } from '../../fakes/discourse/fake-discourse.ts'
import type { ForumUser } from '../../fakes/discourse/forum.ts'
import { browserSkipReason, launchBrowser, saveScreenshot } from '../../support/browser.ts'
import { fakeClock } from '../../support/fake-clock.ts'
import { freePort } from '../../support/free-port.ts'
import { assertFounded, assertKitPolicies, startFreshApp, type FreshApp } from '../../support/fresh-app.ts'
import { setCookie, toTestResponse, type TestResponse } from '../../support/server-harness.ts'
import { testDiscourseEnv, testDiscourseWebhookKey } from '../../fakes/discourse/connect-directly.ts'

interface ErrorBody {
  error: { code: string; message: string }
}

const setupCookie = 'pk_discourse_setup'

describe('setting PolicyKit up with Discourse (first run, democracy kit)', () => {
  let t: FreshApp
  let fake: FakeDiscourse
  let ada: ForumUser
  let bob: ForumUser

  before(async () => {
    const clock = fakeClock()
    const port = await freePort()
    fake = await startFakeDiscourse({ now: () => clock.now(), title: 'Gardeners Forum' })
    fake.forum.addUser({ username: 'policykit', admin: true })
    ada = fake.forum.addUser({ username: 'ada', name: 'Ada Lovelace', moderator: true })
    bob = fake.forum.addUser({ username: 'bob' })
    t = await startFreshApp({ port, clock, env: testDiscourseEnv })
  })
  after(async () => {
    await t.close()
    await fake.close()
  })

  const form = (fields: Record<string, string>, accept = 'application/json') =>
    t.app.server
      .inject({
        method: 'POST',
        url: '/platforms/discourse/setup',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept, origin: t.baseUrl },
        payload: new URLSearchParams(fields).toString(),
      })
      .then((res) => toTestResponse<unknown>(res))

  const goodForm = (overrides: Record<string, string> = {}) => ({
    setup: t.setupToken,
    kit: 'democracy',
    url: `${fake.url}/`,
    apiKey: fake.apiKey,
    apiUsername: 'policykit',
    ...overrides,
  })

  /** The browser at the forum's User API Key page, signed in there as `user`: where the forum sends it back. */
  async function grantAs(res: TestResponse<unknown>, user: ForumUser): Promise<string> {
    assert.equal(res.status, 303, res.text)
    fake.browserUser = user
    const page = await fetch(String(res.headers['location']), { redirect: 'manual' })
    return String(page.headers.get('location'))
  }

  it('offers Discourse on the set-up status', async () => {
    assert.deepEqual((await t.setupStatus()).platforms, [
      {
        platform: 'discourse',
        title: 'Discourse',
        setupPath: '/platforms/discourse/setup',
        place: 'Discourse forum',
        who: 'an admin or moderator of the forum, with an admin API key for it',
        how: 'Give PolicyKit your forum’s address and an admin API key, then confirm who you are on the forum',
      },
    ])
  })

  it('shows the form for a good token and kit, and refuses a wrong token before asking anything', async () => {
    const page = await t.visit(`/platforms/discourse/setup?setup=${t.setupToken}&kit=democracy`, null, {
      accept: 'text/html',
    })
    assert.equal(page.status, 200)
    assert.match(page.text, /<form method="post" action="\/platforms\/discourse\/setup">/)
    assert.match(page.text, /name="apiKey" type="password"/)

    const wrong = await t.visit('/platforms/discourse/setup?setup=guessed&kit=democracy', null, { accept: 'text/html' })
    assert.equal(wrong.status, 403)
    assert.match(wrong.text, /This set-up link is not valid/)
    assert.doesNotMatch(wrong.text, /<form/)
    const posted = await form(goodForm({ setup: 'guessed' }))
    assert.equal(posted.status, 403)
    assert.equal(setCookie(posted.headers, setupCookie), undefined)
    assert.equal(fake.forum.userApiKeys.length, 0, 'nobody was sent to the forum')
  })

  it('checks the key with the forum first: a refused key shows the form again and nothing is stored', async () => {
    const res = await form(goodForm({ apiKey: 'not-the-key' }), 'text/html')
    assert.equal(res.status, 400)
    assert.match(res.text, /The forum refused the key/)
    assert.match(res.text, /name="url" type="url" required placeholder="[^"]*" value="http/)
    assert.doesNotMatch(res.text, /not-the-key/)
    assert.equal(setCookie(res.headers, setupCookie), undefined)
    assert.deepEqual(await t.app.store.communities.listAll(), [])
  })

  it('refuses a cross-site post of the form', async () => {
    const res = await t.app.server.inject({
      method: 'POST',
      url: '/platforms/discourse/setup',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
      payload: new URLSearchParams(goodForm()).toString(),
    })
    assert.equal(res.statusCode, 403)
  })

  it('refuses a forum user who is neither admin nor moderator, and an answer in another browser', async () => {
    const started = await form(goodForm())
    const cookie = setCookie(started.headers, setupCookie)
    assert.ok(cookie)
    assert.doesNotMatch(cookie, new RegExp(fake.apiKey), 'the API key is sealed in the cookie')
    const callback = await grantAs(started, bob)
    assert.ok(callback.startsWith(`${t.baseUrl}/platforms/discourse/setup/callback?payload=`))

    const elsewhere = await t.visit(callback)
    assert.equal(elsewhere.status, 403)
    assert.match((elsewhere.json as ErrorBody).error.message, /not started in this browser/)

    const res = await t.visit(callback, cookie)
    assert.equal(res.status, 403)
    assert.match((res.json as ErrorBody).error.message, /Only an admin or moderator of Gardeners Forum/)
    assert.equal(fake.forum.userApiKeys.at(-1)?.revoked, true, 'the user key is revoked after use')
    assert.deepEqual(await t.app.store.communities.listAll(), [])
    assert.equal((await t.setupStatus()).needed, true)
  })

  it('founds the community from the forum: kit, moderator as admin, people imported, webhook made', async () => {
    const started = await form(goodForm())
    const late = await form(goodForm({ kit: 'testing' }))
    const res = await t.visit(await grantAs(started, ada), setCookie(started.headers, setupCookie))
    assert.equal(res.status, 302, res.text)
    const { community, founder } = await assertFounded(t, res, {
      name: 'Gardeners Forum',
      kit: 'democracy',
      platform: 'discourse',
      founderAccount: String(ada.id),
      externalId: fake.url,
    })
    assert.equal(founder.username, 'ada')
    assert.equal(founder.displayName, 'Ada Lovelace')
    const { store } = t.app
    const [integration] = await store.integrations.list(community.id)
    assert.ok(integration)
    assert.deepEqual(
      discourseCredentials.parse(await store.integrations.getCredentials(community.id, integration.id)),
      { url: fake.url, apiKey: fake.apiKey, apiUsername: 'policykit' },
    )
    assert.doesNotMatch(
      JSON.stringify(await store.db.selectFrom('integrations').selectAll().execute()),
      new RegExp(fake.apiKey),
    )
    // The forum's people are members.
    assert.ok(await store.members.findByAccount(community.id, 'discourse', String(bob.id)))
    // The webhook is made through the admin API, with this forum's secret.
    assert.deepEqual(
      fake.forum.webhooks.map((w) => [w.url, w.secret]),
      [[`${t.baseUrl}/platforms/discourse/webhook`, discourseWebhookSecret(testDiscourseWebhookKey, fake.url)]],
    )

    // A second set-up is refused, whether already under way or started again.
    const lateRes = await t.visit(await grantAs(late, ada), setCookie(late.headers, setupCookie))
    assert.equal(lateRes.status, 403)
    assert.match((lateRes.json as ErrorBody).error.message, /already set up/)
    assert.equal((await form(goodForm())).status, 403)
    assert.equal((await store.communities.listAll()).length, 1)
  })
})

describe('Set up with Discourse on the set-up page (Chromium)', { skip: browserSkipReason() ?? false }, () => {
  it('lists every configured platform, and founds the community through the form and the forum', async () => {
    const clock = fakeClock()
    const port = await freePort()
    const fake = await startFakeDiscourse({ now: () => clock.now(), title: 'Orchard Forum' })
    fake.forum.addUser({ username: 'policykit', admin: true })
    fake.browserUser = fake.forum.addUser({ username: 'ada', name: 'Ada Lovelace', admin: true })
    const t = await startFreshApp({
      port,
      clock,
      env: {
        ...testDiscourseEnv,
        // Reddit configured too (never reached here): the page offers both.
        REDDIT_CLIENT_ID: 'abc123',
        REDDIT_CLIENT_SECRET: 'shh',
        REDDIT_USER_AGENT: 'web:policykit:1.0 (by /u/gardenmod)',
      },
    })
    const chromium = await launchBrowser()
    try {
      const context = await chromium.browser.newContext({ baseURL: t.baseUrl })
      const page = await context.newPage()
      await page.goto(`/setup?${new URLSearchParams({ token: t.setupToken })}`)
      await page.getByRole('heading', { name: 'Set up with Reddit' }).waitFor()
      await page.getByRole('heading', { name: 'Set up with Discourse' }).waitFor()
      // Each platform's text is its own.
      await page.getByText('Only a moderator of the subreddit with the posts, access and mail permissions').waitFor()
      await page
        .getByText('Only an admin or moderator of the forum, with an admin API key for it can do this.')
        .waitFor()
      const kits = page.getByRole('group', { name: 'Starter kit for the Discourse community' })
      await kits.getByLabel('Democracy').check()
      await page.getByRole('link', { name: 'Set up with Discourse' }).click()
      await page.getByRole('heading', { name: 'Set up with Discourse' }).waitFor()
      await page.getByLabel('Your forum’s address').fill(fake.url)
      await page.getByLabel('Admin API key').fill(fake.apiKey)
      await page.getByLabel('Username PolicyKit acts as').fill('policykit')
      await saveScreenshot(page, 'setup-with-discourse')
      await page.getByRole('button', { name: 'Continue to the forum' }).click()
      await page.waitForURL((url) => url.pathname.startsWith('/c/'))
      await page.getByRole('heading', { name: 'Pending proposals' }).waitFor()

      const [community] = await t.app.store.communities.listAll()
      assert.ok(community)
      assert.equal(community.name, 'Orchard Forum')
      await assertKitPolicies(t.app.store, community.id, 'democracy')
    } finally {
      await chromium.close()
      await t.close()
      await fake.close()
    }
  })
})
