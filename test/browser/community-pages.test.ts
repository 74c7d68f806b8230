import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { Page } from 'playwright-core'
import type { InviteJson, ProposalDetailJson } from '../../src/server/presenters.ts'
import { browserSkipReason, launchBrowser, saveScreenshot, signedInPage, type TestBrowser } from '../support/browser.ts'
import { startTestServer, testPassword, type TestServer } from '../support/server-harness.ts'
import { until } from '../support/until.ts'
import { proposeElsewhere } from '../store/seed.ts'

const webRoot = join(import.meta.dirname, '..', '..', 'web', 'dist')
const skip =
  browserSkipReason() ??
  (existsSync(join(webRoot, 'index.html')) ? null : 'the dashboard is not built (npm run build:web; npm test does)')

/**
 * The pages a member finds past the first hour: settings for every member, the community's log,
 * invites listed and revoked. The real server over the test harness (democracy kit), the built
 * dashboard, headless Chromium.
 */
describe('community pages in Chromium', { skip: skip ?? false }, () => {
  let s: TestServer
  let chromium: TestBrowser
  let baseUrl = ''
  let base = ''

  before(async () => {
    s = await startTestServer({ webRoot })
    await proposeElsewhere(s.store, 3)
    baseUrl = await s.app.listen({ port: 0, host: '127.0.0.1' })
    base = `/c/${s.communityId}`
    chromium = await launchBrowser()
  })
  after(async () => {
    await chromium.close()
    await s.close()
  })

  async function signIn(username: string, viewport = { width: 1280, height: 900 }): Promise<Page> {
    const page = await signedInPage(chromium, baseUrl, username, viewport)
    await page.getByRole('navigation', { name: 'Community' }).waitFor()
    return page
  }

  /** Nothing on the page is wider than the screen: no sideways scrolling to reach a column. */
  async function fitsTheScreen(page: Page, width: number): Promise<void> {
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth)
    assert.ok(scrollWidth <= width, `the page is ${scrollWidth}px wide on a ${width}px screen`)
  }

  it('gives every member Settings with API tokens and a password, and only managers invites', async () => {
    const observer = await s.store.roles.create(s.communityId, { name: 'Observer', permissions: ['vote'] })
    await s.member('olga', { roles: [observer.name] })
    const olga = await signIn('olga', { width: 375, height: 812 })
    await olga.goto(base)
    const nav = olga.getByRole('navigation', { name: 'Community' })
    await nav.getByRole('link', { name: 'Settings', exact: true }).click()
    await olga.getByRole('heading', { name: 'API tokens' }).waitFor()
    await olga.getByRole('heading', { name: 'Password' }).waitFor()
    assert.equal(await olga.getByRole('heading', { name: 'Invites' }).count(), 0)
    assert.equal(await nav.getByRole('link', { name: 'Logs' }).count(), 0, 'no view_logs, no Logs page')

    await olga.getByLabel('Token name').fill('Nightly export of the decisions to the archive spreadsheet')
    await olga.getByRole('button', { name: 'Create token' }).click()
    const secret = await olga.getByRole('textbox', { name: /^API token/ }).inputValue()
    assert.match(secret, /^pk_/)
    await olga.getByRole('rowheader', { name: /Nightly export/ }).waitFor()
    await saveScreenshot(olga, 'settings-member-phone')
    await fitsTheScreen(olga, 375)
    const revoke = await olga.getByRole('button', { name: /^Revoke Nightly export/ }).boundingBox()
    assert.ok(revoke && revoke.x + revoke.width <= 375, `the Revoke button is on screen: ${JSON.stringify(revoke)}`)

    await nav.getByRole('link', { name: 'Members', exact: true }).click()
    await olga.getByRole('rowheader', { name: 'olga', exact: true }).waitFor()
    await fitsTheScreen(olga, 375)
    const roles = await olga.getByRole('cell', { name: 'Roles: Observer' }).boundingBox()
    assert.ok(roles && roles.x + roles.width <= 375, `every column is on screen: ${JSON.stringify(roles)}`)
    await saveScreenshot(olga, 'members-phone')
    const works = await fetch(`${baseUrl}/api/communities/${s.communityId}/proposals`, {
      headers: { authorization: `Bearer ${secret}` },
    })
    assert.equal(works.status, 200, 'the token made in the dashboard works')
  })

  it('shows members holding view_logs the community log, filtered by level, platform and proposal', async () => {
    const proposed = await s.admin.post<{ proposalId: number }>(`/api/communities/${s.communityId}/actions`, {
      type: 'constitution.addDocument',
      params: { name: 'Charter', text: 'We garden together.' },
    })
    assert.equal(proposed.status, 201, proposed.text)
    const detail = await s.admin.get<ProposalDetailJson>(
      `/api/communities/${s.communityId}/proposals/${proposed.json.proposalId}`,
    )
    // Another community's proposals came first: the id runs ahead of the number people see.
    const number = detail.json.number
    assert.notEqual(number, proposed.json.proposalId)
    const now = s.clock.now()
    await s.store.logs.add(s.communityId, [
      {
        level: 'warn',
        message: 'PolicyKit was uninstalled from the Slack workspace; the integration is off',
        details: { platform: 'slack', teamId: 'T1' },
        now,
      },
      { proposalId: proposed.json.proposalId, level: 'info', message: 'check: waiting for votes', now },
      { proposalId: proposed.json.proposalId, level: 'error', message: 'check, line 2: x is not defined', now },
    ])

    const admin = await signIn('admin')
    await admin.goto(base)
    const waiting = admin.getByRole('region', { name: 'Waiting for your vote' })
    await waiting.getByRole('link', { name: `Proposal #${number}: Add document ‘Charter’` }).waitFor()
    await saveScreenshot(admin, 'overview-waiting')
    await admin.getByRole('navigation', { name: 'Community' }).getByRole('link', { name: 'Logs' }).click()
    await admin.getByRole('heading', { name: 'Logs' }).waitFor()
    const table = admin.getByRole('table', { name: 'Log, newest first' })
    await table.getByText('was uninstalled from the Slack workspace').waitFor()
    await table.getByText('check: waiting for votes').waitFor()
    await saveScreenshot(admin, 'logs')

    await admin.getByLabel('Platform').selectOption('slack')
    await admin.waitForURL(/platform=slack/)
    await table.getByText('check: waiting for votes').waitFor({ state: 'detached' })
    await table.getByText('was uninstalled from the Slack workspace').waitFor()

    await admin.getByLabel('Platform').selectOption('')
    await admin.getByLabel('Level').selectOption('error')
    await table.getByText('was uninstalled from the Slack workspace').waitFor({ state: 'detached' })
    await table.getByText('x is not defined').waitFor()

    await admin.getByLabel('Level').selectOption('')
    await admin.getByLabel('Proposal number').fill(`#${number}`)
    await admin.getByLabel('Proposal number').press('Enter')
    await admin.waitForURL(new RegExp(`proposal=${number}`))
    await table.getByText('was uninstalled from the Slack workspace').waitFor({ state: 'detached' })
    await table.getByText('check: waiting for votes').waitFor()
    await table
      .getByRole('link', { name: `#${number}`, exact: true })
      .first()
      .click()
    await admin.waitForURL(new RegExp(`/proposals/${proposed.json.proposalId}$`))
    await admin.getByRole('heading', { name: `Proposal #${number}`, exact: true }).waitFor()
    await saveScreenshot(admin, 'proposal-numbered')
  })

  it('lists invites and revokes an open one, whose link then stops working', async () => {
    const made = await s.admin.post<InviteJson>(`/api/communities/${s.communityId}/invites`, {})
    assert.equal(made.status, 201)
    const admin = await signIn('admin')
    await admin.goto(`${base}/settings`)
    const invites = admin.getByRole('table', { name: 'Invites' })
    const open = invites.getByRole('row').filter({ hasText: 'Open' })
    await open.first().waitFor()
    await open
      .first()
      .getByRole('button', { name: /^Revoke/ })
      .click()
    await invites.getByRole('row').filter({ hasText: 'Revoked' }).first().waitFor()
    await saveScreenshot(admin, 'settings-invites')

    const token = made.json.url?.split('/').pop() ?? ''
    const visitor = await chromium.browser.newContext({ baseURL: baseUrl })
    const page = await visitor.newPage()
    await page.goto(`/invite/${token}`)
    await page
      .getByText(/revoked/i)
      .first()
      .waitFor()
  })

  it('lets a member leave from Settings once they confirm, and the community leaves their list', async () => {
    await s.member('lea')
    const lea = await signIn('lea')
    await lea.goto(`${base}/settings`)
    await lea.getByRole('heading', { name: 'Leave this community' }).waitFor()
    await lea.getByRole('button', { name: 'Leave Test community…' }).click()
    const confirm = lea.getByRole('group', { name: 'Confirm leaving Test community' })
    await confirm.waitFor()
    await saveScreenshot(lea, 'settings-leave-confirm')
    await confirm.getByRole('button', { name: 'Stay' }).click()
    await confirm.waitFor({ state: 'detached' })
    assert.ok((await s.store.members.getByUsername(s.communityId, 'lea')) !== undefined, 'Stay leaves nothing')

    await lea.getByRole('button', { name: 'Leave Test community…' }).click()
    await confirm.getByRole('button', { name: 'Yes, leave Test community' }).click()
    await lea.waitForURL((url) => url.pathname === '/')
    assert.equal(await lea.getByRole('link', { name: 'Test community' }).count(), 0)
    await saveScreenshot(lea, 'after-leaving')
    assert.equal(await s.store.members.getByUsername(s.communityId, 'lea'), undefined)
  })

  it('tells the last member who could amend the constitution why they cannot leave', async () => {
    const mo = await s.member('mo')
    const amenders = await s.store.roles.create(s.communityId, {
      name: 'Amenders',
      permissions: ['propose:constitution.changePolicy', 'propose:constitution.assignRole'],
    })
    await s.store.roles.assign(s.communityId, mo.memberId, amenders.id)
    const member = await s.store.roles.getByName(s.communityId, 'Member')
    assert.ok(member)
    const before = member.permissions
    await s.store.roles.update(s.communityId, member.id, { permissions: ['vote', 'view_logs'] })
    try {
      const page = await signIn('mo')
      await page.goto(`${base}/settings`)
      await page.getByRole('button', { name: 'Leave Test community…' }).click()
      await page.getByRole('button', { name: 'Yes, leave Test community' }).click()
      const alert = page.getByRole('alert')
      await alert.waitFor()
      assert.match(
        await alert.innerText(),
        /your leaving would leave no member able to propose constitution\.changePolicy/,
      )
      await saveScreenshot(page, 'settings-leave-refused')
    } finally {
      await s.store.roles.update(s.communityId, member.id, { permissions: before })
    }
  })

  it("offers Remove on the Members page, which proposes constitution.removeMember for the community's policies to decide", async () => {
    const rex = await s.member('rex')
    const admin = await signIn('admin', { width: 375, height: 812 })
    await admin.goto(`${base}/members`)
    await admin.getByRole('rowheader', { name: 'rex', exact: true }).waitFor()
    await fitsTheScreen(admin, 375)
    await saveScreenshot(admin, 'members-phone-remove')
    assert.equal(
      await admin.getByRole('link', { name: 'Remove admin from the community' }).count(),
      0,
      'one leaves from Settings, not by removing oneself',
    )
    await admin.getByRole('link', { name: 'Remove rex from the community' }).click()
    await admin.waitForURL(/type=constitution\.removeMember/)
    await admin.getByRole('button', { name: 'Propose' }).click()
    await admin.getByRole('heading', { name: /^Proposal #\d+$/ }).waitFor()
    await admin.getByText('Remove ‘rex’ from the community', { exact: true }).first().waitFor()
    await saveScreenshot(admin, 'proposal-remove-member-phone')
    await fitsTheScreen(admin, 375)
    assert.ok((await s.store.members.getByUsername(s.communityId, 'rex')) !== undefined, 'the members vote first')
    // What the page proposed: rex's removal, by the admin.
    const [proposed] = await s.store.actions.list(s.communityId, { limit: 1 })
    assert.equal(proposed?.type, 'constitution.removeMember')
    assert.deepEqual(proposed.params, { memberId: rex.memberId })
    assert.equal(proposed.initiatorId, s.admin.memberId)
  })

  it('makes one sign-in link for a member without a login however fast the button is clicked', async () => {
    const imported = await s.store.members.create(s.communityId, { username: 'ivy', now: s.clock.now() })
    const admin = await signIn('admin')
    await admin.goto(`${base}/members`)
    let posts = 0
    admin.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith(`/api/communities/${s.communityId}/invites`)) {
        posts++
      }
    })
    const button = admin.getByRole('button', { name: 'Sign-in link for ivy' })
    await button.dblclick()
    assert.match(await admin.getByLabel(/^Sign-in link for ivy/).inputValue(), /\/invite\/[\w-]+$/)
    assert.ok(await until(() => button.isEnabled()), 'the button works again once the link is made')
    assert.equal(posts, 1, 'one request')
    const invites = (await s.store.invites.list(s.communityId)).filter((i) => i.forMemberId === imported.id)
    assert.equal(invites.length, 1, 'one invite')
  })

  it('darkens a link-look button on hover only while it can be clicked', async () => {
    await s.store.members.create(s.communityId, { username: 'iris', now: s.clock.now() })
    const admin = await signIn('admin')
    await admin.goto(`${base}/members`)
    // The invite request waits until released: meanwhile the button is disabled.
    let release = () => {}
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    await admin.route(`**/api/communities/${s.communityId}/invites`, async (route) => {
      await held
      await route.continue()
    })
    const button = admin.getByRole('button', { name: 'Sign-in link for iris' })
    const look = () =>
      button.evaluate((e) => {
        const style = getComputedStyle(e)
        return { color: style.color, background: style.backgroundColor, opacity: style.opacity, cursor: style.cursor }
      })
    const transparent = 'rgba(0, 0, 0, 0)'

    const enabled = await look()
    await button.hover()
    const hovered = await look()
    assert.notEqual(hovered.color, enabled.color, 'hovered, it darkens')
    assert.equal(hovered.background, transparent, 'without a fill')
    assert.equal(hovered.cursor, 'pointer')

    await button.click()
    await until(() => button.isDisabled())
    assert.equal(await button.isDisabled(), true)
    await admin.mouse.move(0, 0)
    const disabled = await look()
    await button.hover()
    assert.deepEqual(await look(), disabled, 'hovering a disabled one changes nothing')
    assert.equal(disabled.color, enabled.color)
    assert.equal(disabled.background, transparent)
    assert.equal(disabled.opacity, '0.6', 'dimmed, as other disabled buttons')
    assert.equal(disabled.cursor, 'not-allowed')

    release()
    await admin.getByLabel(/^Sign-in link for iris/).waitFor()
    await admin.context().close()
  })

  it('sends a sign-in once: the button stays off after it succeeded, on a page that stays put', async () => {
    const context = await chromium.browser.newContext({ baseURL: baseUrl })
    const page = await context.newPage()
    page.setDefaultTimeout(10_000)
    // `next` is the sign-in page itself: signing in leaves the form where it is.
    await page.goto('/login?next=/login')
    await page.getByLabel('Username').fill('admin')
    await page.getByLabel('Password').fill(testPassword)
    const signedIn = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/api/session'))
    const button = page.getByRole('button', { name: 'Sign in', exact: true })
    await button.click()
    assert.ok((await signedIn).ok())
    // Let the page take in the answer (the request's end, React's render) before looking.
    await page.evaluate(
      () =>
        new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(resolve, 100)))),
    )
    await page.getByRole('heading', { name: 'Sign in' }).waitFor()
    assert.equal(await button.isDisabled(), true)
    await context.close()
  })
})
