import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { discourseWebhookSecret } from '../../src/platforms/discourse/webhook-secret.ts'
import { testDiscourseOptions, testDiscourseWebhookKey } from '../fakes/discourse/connect-directly.ts'
import { startFakeDiscourse, type FakeDiscourse } from '../fakes/discourse/fake-discourse.ts'
import { browserSkipReason, launchBrowser, saveScreenshot, signedInPage, type TestBrowser } from '../support/browser.ts'
import { startTestServer, testPublicUrl, type TestServer } from '../support/server-harness.ts'

const webRoot = join(import.meta.dirname, '..', '..', 'web', 'dist')
const skip =
  browserSkipReason() ??
  (existsSync(join(webRoot, 'index.html')) ? null : 'the dashboard is not built (npm run build:web; npm test does)')

/** Settings › Integrations › Connect Discourse in Chromium, against the fake forum. */
describe('connecting a Discourse forum from the settings page in Chromium', { skip: skip ?? false }, () => {
  let s: TestServer
  let fake: FakeDiscourse
  let chromium: TestBrowser
  let baseUrl = ''

  before(async () => {
    fake = await startFakeDiscourse({ now: () => Date.now() })
    fake.forum.addUser({ username: 'policykit', admin: true })
    fake.forum.addUser({ username: 'ada', moderator: true })
    fake.forum.addUser({ username: 'bob' })
    s = await startTestServer({ webRoot, kit: 'testing', platformSettings: { discourse: testDiscourseOptions } })
    baseUrl = await s.app.listen({ port: 0, host: '127.0.0.1' })
    chromium = await launchBrowser()
  })
  after(async () => {
    await chromium.close()
    await s.close()
    await fake.close()
  })

  it('checks the key with the forum, connects it through the constitution and shows the webhook to enter; or makes the webhook itself', async () => {
    const page = await signedInPage(chromium, baseUrl)
    await page.goto(`/c/${s.communityId}/settings`)
    await page.getByRole('button', { name: 'Connect Discourse' }).click()
    const form = page.getByRole('region', { name: 'Connect Discourse' })

    // A key the forum refuses: the page says what to give instead, and nothing is stored.
    await form.getByLabel('Forum address').fill(fake.url)
    await form.getByLabel('Admin API key').fill('not the key')
    await form.getByLabel('Username PolicyKit acts as').fill('policykit')
    await form.getByRole('button', { name: 'Connect Discourse' }).click()
    await form.getByRole('alert').filter({ hasText: 'give an admin API key for policykit' }).waitFor()
    assert.deepEqual(await s.store.integrations.list(s.communityId), [])

    await form.getByLabel('Admin API key').fill(fake.apiKey)
    await form.getByRole('button', { name: 'Connect Discourse' }).click()
    const connected = form.getByRole('status')
    await connected.getByText('Discourse is connected.').waitFor()
    await connected.getByText(/It is active/).waitFor()
    await connected.getByText('2 people were imported.').waitFor()
    assert.equal(
      await connected.getByLabel('Webhook payload URL').inputValue(),
      `${testPublicUrl}/platforms/discourse/webhook`,
    )
    assert.equal(
      await connected.getByLabel('Webhook secret').inputValue(),
      discourseWebhookSecret(testDiscourseWebhookKey, fake.url),
    )
    assert.deepEqual(fake.forum.webhooks, [], 'the admin makes the webhook')
    await page.getByRole('cell', { name: fake.forum.title }).waitFor()
    await page.getByRole('cell', { name: 'Active', exact: true }).waitFor()
    await saveScreenshot(page, 'discourse-connected')
    const [integration] = await s.store.integrations.list(s.communityId)
    assert.equal(integration?.active, true)
    assert.equal(integration?.externalId, fake.url)

    // Reconnecting with "create the webhook for me": PolicyKit makes it through the admin API.
    await form.getByLabel('Forum address').fill(fake.url)
    await form.getByLabel('Admin API key').fill(fake.apiKey)
    await form.getByLabel('Username PolicyKit acts as').fill('policykit')
    await form.getByLabel('Create the forum’s webhook for me').check()
    await form.getByRole('button', { name: 'Connect Discourse' }).click()
    await form
      .getByRole('status')
      .getByText(/PolicyKit created the webhook in Discourse itself/)
      .waitFor()
    assert.equal(await form.getByLabel('Webhook secret').count(), 0, 'nothing to enter by hand')
    assert.deepEqual(
      fake.forum.webhooks.map(({ url, secret }) => ({ url, secret })),
      [
        {
          url: `${testPublicUrl}/platforms/discourse/webhook`,
          secret: discourseWebhookSecret(testDiscourseWebhookKey, fake.url),
        },
      ],
    )
    assert.equal((await s.store.integrations.list(s.communityId)).length, 1, 'the same connection')
    assert.deepEqual(fake.violations, [])
    await page.context().close()
  })
})
