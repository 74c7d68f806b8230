import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { Page } from 'playwright-core'
import type { PolicySummaryJson, ProposeResultJson } from '../../src/server/presenters.ts'
import { browserSkipReason, launchBrowser, saveScreenshot, signedInPage, type TestBrowser } from '../support/browser.ts'
import { startTestServer, type TestServer } from '../support/server-harness.ts'
import { proposeElsewhere } from '../store/seed.ts'

const webRoot = join(import.meta.dirname, '..', '..', 'web', 'dist')
const skip =
  browserSkipReason() ??
  (existsSync(join(webRoot, 'index.html')) ? null : 'the dashboard is not built (npm run build:web; npm test does)')

/**
 * What a newcomer reads and writes: the policy editor's hints and completion (from the server's
 * declarations), proposals titled by what they do, and a policy change shown as a diff.
 */
describe('proposals and the policy editor in Chromium', { skip: skip ?? false }, () => {
  let s: TestServer
  let chromium: TestBrowser
  let baseUrl = ''
  let base = ''
  let page: Page

  before(async () => {
    s = await startTestServer({ webRoot })
    await proposeElsewhere(s.store, 2)
    baseUrl = await s.app.listen({ port: 0, host: '127.0.0.1' })
    base = `/c/${s.communityId}`
    chromium = await launchBrowser()
    page = await signedInPage(chromium, baseUrl)
    await page.getByRole('navigation', { name: 'Community' }).waitFor()
  })
  after(async () => {
    await chromium.close()
    await s.close()
  })

  /** The labels of the completion list now open in the editor. */
  async function completions(): Promise<string[]> {
    const list = page.locator('.cm-tooltip-autocomplete')
    await list.waitFor()
    // The list can first show what was offered a keystroke earlier: read it once it holds still.
    const labels = () => list.locator('.cm-completionLabel').allInnerTexts()
    let shown = await labels()
    for (let i = 0; i < 100; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      const again = await labels()
      if (again.join('\n') === shown.join('\n')) {
        break
      }
      shown = again
    }
    return shown
  }

  it('completes what the server declares, the action types’ fields, and hints real types', async () => {
    await page.goto(`${base}/policies/new`)
    await page.getByLabel('Kind').selectOption('constitution')
    const hint = page.locator('#policy-action-types-hint')
    assert.match(await hint.innerText(), /e\.g\. constitution\.\w+, constitution\.\w+/)
    await page.getByLabel('Action types').fill('constitution.addDocument')
    const check = page.getByRole('group', { name: 'check block' }).getByRole('textbox', { name: 'check code' })
    await check.click()
    await page.keyboard.type('proposal.data.')
    assert.deepEqual((await completions()).sort(), ['get', 'remove', 'set'])
    await page.keyboard.press('Escape')
    await page.keyboard.press('Enter')
    await page.keyboard.type('constitution.')
    assert.deepEqual((await completions()).sort(), ['getMembers', 'initiateVote'])
    await page.keyboard.press('Escape')
    await page.keyboard.press('Enter')
    await page.keyboard.type('action.')
    const fields = await completions()
    for (const name of ['initiator', 'type', 'name', 'text']) {
      assert.ok(fields.includes(name), `action.${name} is offered: ${fields.join(', ')}`)
    }
    await saveScreenshot(page, 'policy-editor-completion')
  })

  it('says clearly that a name of spaces is no name', async () => {
    await page.goto(`${base}/policies/new`)
    await page.getByLabel('Name').fill('   ')
    await page.getByRole('button', { name: 'Propose policy' }).click()
    const alert = page.getByRole('alert')
    await alert.waitFor()
    assert.equal(await alert.innerText(), 'Name: must not be empty or only spaces')
  })

  it('titles proposals by what they do, and shows a policy change as a diff against the version in force', async () => {
    const api = `/api/communities/${s.communityId}`
    const [target] = (await s.admin.get<PolicySummaryJson[]>(`${api}/policies?kind=platform`)).json
    assert.ok(target)
    const added = await s.admin.post<ProposeResultJson>(`${api}/actions`, {
      type: 'constitution.addDocument',
      params: { name: 'Charter', text: 'We garden.' },
    })
    const changed = await s.admin.post<ProposeResultJson>(`${api}/actions`, {
      type: 'constitution.changePolicy',
      params: { policyId: target.id, blocks: { pass: "logger.info('carried by the members')" } },
    })
    assert.equal(changed.status, 201, changed.text)

    await page.goto(`${base}/proposals`)
    await page.getByRole('link', { name: `Proposal #${added.json.proposalNumber}: Add document ‘Charter’` }).waitFor()
    const link = page.getByRole('link', {
      name: `Proposal #${changed.json.proposalNumber}: Change policy ‘${target.name}’`,
    })
    await saveScreenshot(page, 'proposals-titled')
    await link.click()
    await page.getByText(`Change policy ‘${target.name}’`, { exact: true }).waitFor()
    const about = page.getByRole('link', { name: target.name, exact: true }).first()
    assert.equal(await about.getAttribute('href'), `${base}/policies/${target.id}`)
    const diff = page.locator('figure.diff')
    assert.match(
      await diff.locator('figcaption').innerText(),
      /against the version in force: 1 line added, \d+ removed/,
    )
    assert.match(await diff.locator('ins').innerText(), /logger\.info\('carried by the members'\)/)
    await saveScreenshot(page, 'proposal-policy-change')
  })

  it('names who may still vote, and links an errored proposal with the one that replaced it', async () => {
    const api = `/api/communities/${s.communityId}`
    await s.member('bea')
    await s.store.policies.create(
      s.communityId,
      {
        name: 'Role check with a bug',
        description: '',
        kind: 'constitution',
        actionTypes: ['constitution.addRole'],
        priority: 10,
        variables: [],
        blocks: {
          filter: '',
          initialize: '',
          check: 'return proposal.data.get("x").length',
          notify: '',
          pass: '',
          fail: '',
        },
      },
      s.clock.now(),
    )
    const role = await s.admin.post<ProposeResultJson>(`${api}/actions`, {
      type: 'constitution.addRole',
      params: { name: 'Gardener', permissions: ['vote'] },
    })
    assert.equal(role.status, 201, role.text)
    const replacement = role.json.proposalId
    const page1 = await s.admin.get<{ related: { id: number; number: number; status: string }[] }>(
      `${api}/proposals/${replacement}`,
    )
    const errored = page1.json.related.find((r) => r.status === 'errored')
    assert.ok(errored, JSON.stringify(page1.json.related))

    await page.goto(`${base}/proposals/${errored.id}`)
    await page.getByText('Replaced by').waitFor()
    await page.getByRole('link', { name: `Proposal #${role.json.proposalNumber}` }).click()
    await page.getByText('Replaces (errored)').waitFor()
    await page.getByRole('link', { name: `Proposal #${errored.number}` }).waitFor()
    const still = page.locator('.still-to-vote')
    assert.match(await still.innerText(), /^Still to vote \(\d+\): .*bea/)
    await page.getByRole('button', { name: 'Vote yes' }).click()
    await page.getByText('Your vote: Yes').waitFor()
    assert.doesNotMatch(await still.innerText(), /Admin/)
    await saveScreenshot(page, 'proposal-replaces-errored')
  })

  it('lets a member change the name the community shows for them, refusing a name of spaces', async () => {
    await page.goto(`${base}/settings`)
    const field = page.getByRole('textbox', { name: 'Display name', exact: true })
    await field.fill('   ')
    await page.getByRole('button', { name: 'Save display name' }).click()
    const alert = page.getByRole('alert')
    await alert.waitFor()
    assert.match(await alert.innerText(), /displayName: must not be empty or only spaces/)
    await field.fill('Ada the Gardener')
    await page.getByRole('button', { name: 'Save display name' }).click()
    await page.getByText('Your display name was changed.').waitFor()
    await saveScreenshot(page, 'settings-display-name')
    await page.goto(`${base}/members`)
    await page.getByRole('cell', { name: 'Ada the Gardener' }).first().waitFor()
  })
})
