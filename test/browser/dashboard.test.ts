import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { BrowserContext, Page } from 'playwright-core'
import { browserSkipReason, launchBrowser, saveScreenshot, type TestBrowser } from '../support/browser.ts'
import { freePort } from '../support/free-port.ts'

const root = join(import.meta.dirname, '..', '..')
const password = 'correct horse battery'
const skip = browserSkipReason()

interface RunningServer {
  process: ChildProcess
  baseUrl: string
  setupLink: string
  output: () => string
}

/** `node src/main.ts` on an empty data directory, as `npm start` runs it; resolves with the set-up link it prints. */
async function startPolicyKit(dataDir: string): Promise<RunningServer> {
  const port = await freePort()
  const baseUrl = `http://127.0.0.1:${port}`
  // The embedded database in a fresh directory, whatever the suite's own environment says.
  const env = { ...process.env }
  delete env.DATABASE_URL
  delete env.POLICYKIT_SECRET_KEY
  const child = spawn(process.execPath, ['src/main.ts'], {
    cwd: root,
    env: {
      ...env,
      POLICYKIT_DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      POLICYKIT_PUBLIC_URL: baseUrl,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const setupLink = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no set-up link within 30 s; output:\n${output}`)), 30_000)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const link = /Set up PolicyKit: (\S+)/.exec(output)?.[1]
      if (link !== undefined) {
        clearTimeout(timer)
        resolve(link)
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`PolicyKit exited (${code}) before printing a set-up link:\n${output}`))
    })
  })
  return { process: child, baseUrl, setupLink, output: () => output }
}

async function signUp(page: Page, inviteUrl: string, username: string, displayName: string): Promise<void> {
  await page.goto(inviteUrl)
  await page.getByRole('heading', { name: 'Join Gardeners' }).waitFor()
  await page.getByLabel('Username').fill(username)
  await page.getByLabel('Display name').fill(displayName)
  await page.getByLabel('Password', { exact: true }).fill(password)
  const confirm = page.getByLabel('Confirm password')
  if ((await confirm.count()) > 0) {
    await confirm.fill(password)
  }
  await page.getByRole('button', { name: 'Create account and join' }).click()
  await page.getByRole('heading', { name: 'Gardeners', exact: true }).waitFor()
}

async function voteYes(page: Page, proposalUrl: string): Promise<void> {
  await page.goto(proposalUrl)
  await page.getByRole('button', { name: 'Vote yes' }).click()
  await page.getByText('Your vote: Yes').waitFor()
}

describe('the dashboard in Chromium', { skip: skip ?? false }, () => {
  let dataDir = ''
  let server: RunningServer | undefined
  let chromium: TestBrowser | undefined
  const contexts: Record<string, BrowserContext> = {}
  const pages: Record<string, Page> = {}
  let communityPath = ''
  let proposalUrl = ''

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'policykit-browser-'))
    server = await startPolicyKit(dataDir)
    chromium = await launchBrowser()
    for (const [name, viewport] of [
      ['ada', { width: 1280, height: 900 }],
      ['bob', { width: 1280, height: 900 }],
      ['carol', { width: 375, height: 812 }],
    ] as const) {
      contexts[name] = await chromium.browser.newContext({ viewport, baseURL: server.baseUrl })
      pages[name] = await contexts[name].newPage()
      pages[name].setDefaultTimeout(10_000)
    }
  })

  after(async () => {
    await chromium?.close()
    server?.process.kill('SIGTERM')
    if (server && server.process.exitCode === null) {
      await new Promise((resolve) => server?.process.once('exit', resolve))
    }
    await rm(dataDir, { recursive: true, force: true })
  })

  function page(name: 'ada' | 'bob' | 'carol'): Page {
    const found = pages[name]
    assert.ok(found, `no page for ${name}`)
    return found
  }

  it('creates the first community with the democracy kit from the set-up link npm start prints', async () => {
    assert.ok(server)
    const ada = page('ada')
    await ada.goto(server.setupLink)
    await ada.getByLabel('Community name').fill('Gardeners')
    await ada.getByRole('radio', { name: 'Democracy' }).check()
    await ada.getByLabel('Username').fill('ada')
    await ada.getByLabel('Display name').fill('Ada')
    await ada.getByLabel('Password', { exact: true }).fill(password)
    await ada.getByLabel('Confirm password').fill(password)
    await saveScreenshot(ada, 'setup')
    await ada.getByRole('button', { name: 'Create community' }).click()
    await ada.getByRole('heading', { name: 'Gardeners', exact: true }).waitFor()
    communityPath = new URL(ada.url()).pathname
    assert.match(communityPath, /^\/c\/\d+$/)
    await ada.getByRole('heading', { name: 'Pending proposals' }).waitFor()
    await saveScreenshot(ada, 'overview')

    // The link was for one use only.
    await ada.goto(server.setupLink)
    await ada
      .getByText(/already set up|not needed/i)
      .first()
      .waitFor()
  })

  it('lets the admin invite two members, who join through their links', async () => {
    const ada = page('ada')
    const links: string[] = []
    for (let i = 0; i < 2; i++) {
      await ada.goto(`${communityPath}/settings`)
      await ada.getByRole('button', { name: 'Create invite link' }).click()
      const field = ada.getByLabel('Invite link')
      await field.waitFor()
      links.push(await field.inputValue())
    }
    assert.equal(new Set(links).size, 2)
    await saveScreenshot(ada, 'settings')
    await signUp(page('bob'), links[0] ?? '', 'bob', 'Bob')
    await signUp(page('carol'), links[1] ?? '', 'carol', 'Carol')

    await ada.goto(`${communityPath}/members`)
    for (const name of ['ada', 'bob', 'carol']) {
      await ada.getByRole('rowheader', { name, exact: true }).waitFor()
    }
    await saveScreenshot(ada, 'members')
  })

  it('refuses a policy with a syntax error and shows the line', async () => {
    const bob = page('bob')
    await bob.goto(`${communityPath}/policies/new`)
    await bob.getByLabel('Name').fill('Broken')
    const check = bob.getByRole('group', { name: 'check block' }).getByRole('textbox', { name: 'check code' })
    await check.click()
    await bob.keyboard.insertText('const a = 1\nreturn (a +\n')
    await bob
      .getByRole('group', { name: 'check block' })
      .getByText(/check, line \d+:/)
      .waitFor()
    await bob.getByText(/1 syntax error in the code/).waitFor()
    await saveScreenshot(bob, 'policy-editor-error')
    await bob.getByRole('button', { name: 'Propose policy' }).click()
    const alert = bob.getByRole('alert')
    await alert.waitFor()
    assert.match(await alert.innerText(), /check.*line \d+/i)
    assert.match(bob.url(), /\/policies\/new$/, 'the form stays')
  })

  it('lets a member propose a new policy, which passes when the members vote for it', async () => {
    const bob = page('bob')
    await bob.goto(`${communityPath}/policies/new`)
    await bob.getByLabel('Name').fill('Welcome messages')
    await bob.getByLabel('Description').fill('Greets whoever joins.')
    await bob.getByLabel('Kind').selectOption('trigger')
    await bob.getByLabel('Action types').fill('constitution.assignRole.executed')
    await bob.getByLabel('Active when added').check()
    const pass = bob.getByRole('group', { name: 'check block' }).getByRole('textbox', { name: 'check code' })
    await pass.click()
    await bob.keyboard.insertText('return PASSED')
    await bob.getByText('No syntax errors found.').waitFor()
    await bob.getByRole('button', { name: 'Propose policy' }).click()
    await bob.getByRole('heading', { name: /^Proposal #\d+$/ }).waitFor()
    proposalUrl = new URL(bob.url()).pathname
    await bob.getByRole('button', { name: 'Vote yes' }).waitFor()

    await voteYes(page('ada'), proposalUrl)
    await voteYes(page('carol'), proposalUrl)
    await saveScreenshot(page('carol'), 'proposal-phone')
    await voteYes(bob, proposalUrl)
    // The page polls while the proposal is pending: the deciding vote shows as Passed without a reload.
    await bob.locator('dd[role=status]').getByText('Passed', { exact: true }).waitFor()
    await saveScreenshot(bob, 'proposal')

    await bob.goto(`${communityPath}/policies`)
    await bob.getByRole('link', { name: 'Welcome messages' }).waitFor()
    await saveScreenshot(bob, 'policies')
  })

  it('shows a member who is not an admin only their own settings, and lets them change their password', async () => {
    const carol = page('carol')
    await carol.goto(communityPath)
    const nav = carol.getByRole('navigation', { name: 'Community' })
    await nav.getByRole('link', { name: 'Settings', exact: true }).click()
    await carol.getByRole('heading', { name: 'Password' }).waitFor()
    assert.equal(await carol.getByRole('button', { name: 'Create invite link' }).count(), 0)

    await carol.getByLabel('Current password').fill(password)
    await carol.getByLabel('New password').fill('password1')
    await carol.getByRole('button', { name: 'Change password' }).click()
    await carol
      .getByRole('alert')
      .getByText(/most common passwords/)
      .waitFor()
    await carol.getByLabel('New password').fill('tulip marble orbit')
    await carol.getByRole('button', { name: 'Change password' }).click()
    await carol.getByText('Your password was changed.').waitFor()
    await saveScreenshot(carol, 'settings-password')
  })
})
