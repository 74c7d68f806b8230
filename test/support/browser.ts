import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { testPassword } from './server-harness.ts'

/** Debian's Chromium; `.ci/run` installs it. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/**
 * Where screenshots of the main pages are kept after a run (CI keeps the folder as artifacts);
 * POLICYKIT_SCREENSHOTS puts them elsewhere (a closing note's pictures).
 */
export const screenshotDir =
  process.env['POLICYKIT_SCREENSHOTS'] ?? join(import.meta.dirname, '..', '..', 'test-artifacts', 'screenshots')

/**
 * Why the browser suite cannot run here, or null when it can. CI sets POLICYKIT_REQUIRE_BROWSER,
 * so a missing Chromium fails there instead of skipping.
 */
export function browserSkipReason(): string | null {
  if (existsSync(chromiumPath)) {
    return null
  }
  const reason = `no Chromium at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH)`
  if (process.env.POLICYKIT_REQUIRE_BROWSER) {
    throw new Error(reason)
  }
  return reason
}

export interface TestBrowser {
  browser: Browser
  close(): Promise<void>
}

/**
 * Headless Chromium (Playwright gives it a fresh temporary profile). The network flags keep it
 * from calling home: this machine's network is closed, and those connections fail noisily.
 */
export async function launchBrowser(): Promise<TestBrowser> {
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
  return {
    browser,
    async close() {
      await browser.close()
    },
  }
}

/** Saves a full-page screenshot as test-artifacts/screenshots/<name>.png. */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true })
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true })
}

/**
 * A page in a browser context of its own (its own cookies), signed in to the dashboard at
 * `baseURL` as `username` with the test password, once the dashboard has left the sign-in page.
 */
export async function signedInPage(
  chromium: TestBrowser,
  baseURL: string,
  username = 'admin',
  viewport = { width: 1280, height: 900 },
): Promise<Page> {
  const context = await chromium.browser.newContext({ viewport, baseURL })
  const page = await context.newPage()
  page.setDefaultTimeout(10_000)
  await page.goto('/login')
  await page.getByLabel('Username').fill(username)
  await page.getByLabel('Password').fill(testPassword)
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
  await page.waitForURL((url) => url.pathname !== '/login')
  return page
}
