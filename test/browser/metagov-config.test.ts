import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { startFakeGateway, type FakeGateway } from '../fakes/metagov/fake-gateway.ts'
import { seedExampleConfig } from '../platforms/metagov/metagov-rig.ts'
import { browserSkipReason, launchBrowser, signedInPage, type TestBrowser } from '../support/browser.ts'
import { startTestServer, type TestServer } from '../support/server-harness.ts'
import { until } from '../support/until.ts'

const webRoot = join(import.meta.dirname, '..', '..', 'web', 'dist')
const skip =
  browserSkipReason() ??
  (existsSync(join(webRoot, 'index.html')) ? null : 'the dashboard is not built (npm run build:web; npm test does)')

/** The Metagov config page (`/metagov/config`) in Chromium, against the fake gateway. */
describe('the Metagov config page in Chromium', { skip: skip ?? false }, () => {
  let s: TestServer
  let gateway: FakeGateway
  let chromium: TestBrowser
  let baseUrl = ''

  before(async () => {
    gateway = await startFakeGateway({ now: () => Date.now() })
    s = await startTestServer({ webRoot, kit: 'testing', platformSettings: { metagov: { url: gateway.url } } })
    baseUrl = await s.app.listen({ port: 0, host: '127.0.0.1' })
    chromium = await launchBrowser()
  })
  after(async () => {
    await chromium.close()
    await s.close()
    await gateway.close()
  })

  it("sets Metagov up once the gateway answers, checks the config before sending it, saves the seed's example and shows secrets masked", async () => {
    const page = await signedInPage(chromium, baseUrl)
    await page.getByRole('navigation', { name: 'Community' }).waitFor()
    await page.goto('/metagov/config')
    const setUp = page.getByRole('button', { name: 'Set up Metagov' })
    await setUp.waitFor()
    // The first attempt finds the gateway down: its error shows until the next attempt, which works.
    gateway.down = true
    await setUp.click()
    const failed = page.getByRole('alert').filter({ hasText: /Metagov/ })
    await failed.waitFor()
    assert.equal(await failed.getAttribute('class'), 'alert alert-error')
    const why = await failed.innerText()
    gateway.down = false
    await setUp.click()
    const editor = page.getByLabel(/Plugins \(JSON/)
    await editor.waitFor()
    assert.equal(await page.getByRole('alert').filter({ hasText: why }).count(), 0, 'the failed attempt is forgotten')
    assert.equal(gateway.communities.size, 1)
    // Field help from the gateway's schemas.
    await page.getByText('Open Collective slug').waitFor()

    const requests = gateway.requests.length
    await editor.fill('{"plugins": [{"name": "loomio", "config": {}}]}')
    await page.getByRole('button', { name: /^Save/ }).click()
    await page.getByRole('alert').filter({ hasText: 'loomio: api_key is required' }).waitFor()
    assert.equal(gateway.requests.length, requests, 'nothing was sent')

    await editor.fill(JSON.stringify(seedExampleConfig('https://cred.example.org')))
    await page.getByRole('button', { name: /^Save/ }).click()
    await page.getByRole('alert').filter({ hasText: 'Saved' }).waitFor()
    assert.equal(gateway.plugins.size, 4)
    // The page shows the saved config once it has read it back: wait for that, then look at it.
    const masked = /"api_key": "\*\*\*\*\*\*\*\*"/
    await until(async () => masked.test(await editor.inputValue()), 10_000)
    const shown = await editor.inputValue()
    assert.match(shown, /"api_key": "\*\*\*\*\*\*\*\*"/)
    assert.doesNotMatch(shown, /loomio-api-key/)
    await page.context().close()
  })

  it('warns, as a warning, before a save that re-creates a plugin, and saves once confirmed', async () => {
    const page = await signedInPage(chromium, baseUrl)
    await page.getByRole('navigation', { name: 'Community' }).waitFor()
    await page.goto('/metagov/config')
    const editor = page.getByLabel(/Plugins \(JSON/)
    await until(async () => /"api_key"/.test(await editor.inputValue()), 10_000)
    const config = JSON.parse(await editor.inputValue()) as { plugins: { name: string; config: object }[] }
    const changed = config.plugins.map((p) =>
      p.name === 'sourcecred' ? { name: p.name, config: { server_url: 'https://cred.example.net' } } : p,
    )
    await editor.fill(JSON.stringify({ plugins: changed }))
    const sourcecred = () => [...gateway.plugins.values()].find((p) => p.name === 'sourcecred')
    const before = sourcecred()?.id
    await page.getByRole('button', { name: 'Save (proposes the change)' }).click()
    const warning = page.getByRole('alert').filter({ hasText: 're-creates sourcecred' })
    await warning.waitFor()
    assert.equal(await warning.getAttribute('class'), 'alert alert-warning')
    assert.equal(sourcecred()?.id, before, 'nothing changed yet')

    await page.getByRole('button', { name: 'Save anyway (re-creates the plugins named above)' }).click()
    await page.getByRole('alert').filter({ hasText: 'Saved' }).waitFor()
    assert.equal(await warning.count(), 0, 'the warning went with the save it warned about')
    assert.notEqual(sourcecred()?.id, before)
    assert.deepEqual(sourcecred()?.config, { server_url: 'https://cred.example.net' })
    await page.context().close()
  })

  it('tells a member who does not manage integrations, as an alert, that the config is not for them', async () => {
    const observer = await s.store.roles.create(s.communityId, { name: 'Observer', permissions: ['vote'] })
    await s.member('olga', { roles: [observer.name] })
    const page = await signedInPage(chromium, baseUrl, 'olga')
    await page.getByRole('navigation', { name: 'Community' }).waitFor()
    await page.goto('/metagov/config')
    const refused = page
      .getByRole('alert')
      .filter({ hasText: 'Only members who manage integrations can see the Metagov config.' })
    await refused.waitFor()
    assert.equal(await refused.getAttribute('class'), 'alert alert-error')
    assert.equal(await page.getByLabel(/Plugins \(JSON/).count(), 0, 'no editor')
    await page.context().close()
  })
})
