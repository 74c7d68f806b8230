import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { InjectOptions } from 'fastify'
import { startApp, type App } from '../../src/app.ts'
import { loadConfig } from '../../src/config.ts'
import type { Community, Integration } from '../../src/domain/community.ts'
import type { Member } from '../../src/domain/member.ts'
import { silentLogger } from '../../src/engine/logger.ts'
import { getKit } from '../../src/kits/list-kits.ts'
import { sessionCookie } from '../../src/server/auth/session.ts'
import type { SessionJson, SetupStatusJson } from '../../src/server/presenters.ts'
import type { Store } from '../../src/store/store.ts'
import type { FakeClock } from './fake-clock.ts'
import { setCookie, toTestResponse, type TestClient, type TestResponse } from './server-harness.ts'
import { testSecretKey } from './test-store.ts'

/**
 * The real app (`startApp`: SQLite in a temporary directory, scheduler, server listening on
 * 127.0.0.1 at `baseUrl`) with no community yet: first run, with the set-up token it printed.
 * `env` adds a platform's settings (pointing at its fake).
 */
export interface FreshApp {
  /** The process serving HTTP (after `stopFirstProcess`, the other one). */
  app: App
  baseUrl: string
  clock: FakeClock
  setupToken: string
  /**
   * Requests a URL on the app (absolute or a path) as a browser signed in as `as` (a client's
   * session cookie), or sending `as` as its `Cookie` header (`name=value; …`).
   */
  visit(url: string, as?: TestClient | string | null, headers?: Record<string, string>): Promise<TestResponse<unknown>>
  /** The set-up status (`GET /api/setup`). */
  setupStatus(): Promise<SetupStatusJson>
  /** The session a `pk_session` cookie from a response's headers holds, or null. */
  sessionOf(res: TestResponse<unknown>): Promise<SessionJson | null>
  /** A second PolicyKit process on the same database (not serving HTTP): for a listener's lease. */
  startAnotherProcess(): Promise<App>
  /** Stops the first process (the one serving HTTP); `app` is then the other process. */
  stopFirstProcess(): Promise<void>
  /** Stops every process, then the platform's fake when one was given. */
  close(): Promise<void>
}

export async function startFreshApp(input: {
  port: number
  clock: FakeClock
  env: Record<string, string>
  /** The platform's fake, closed with the app (and when the app fails to start). */
  fake?: { close(): Promise<void> }
}): Promise<FreshApp> {
  const { clock } = input
  const baseUrl = `http://127.0.0.1:${input.port}`
  const dataDir = await mkdtemp(path.join(tmpdir(), 'policykit-app-'))
  let app: App | undefined
  const others: App[] = []
  const close = async () => {
    for (const other of others) {
      await other.stop()
    }
    await app?.stop()
    await input.fake?.close()
    await rm(dataDir, { recursive: true, force: true })
  }
  try {
    const config = loadConfig({
      POLICYKIT_DATA_DIR: dataDir,
      POLICYKIT_SECRET_KEY: testSecretKey.toString('hex'),
      POLICYKIT_PUBLIC_URL: baseUrl,
      POLICYKIT_SANDBOX_POOL: '2',
      ...input.env,
    })
    const started = await startApp(config, silentLogger, clock)
    app = started
    await started.server.listen({ host: '127.0.0.1', port: input.port })
    clock.waitFor(() => started.idle())
    const { setupToken } = started
    if (setupToken === null) {
      throw new Error('a fresh app printed no set-up token')
    }
    const visit: FreshApp['visit'] = async (url, as, headers = {}) => {
      const target = new URL(url, baseUrl)
      if (target.origin !== baseUrl) {
        throw new Error(`${url} is not on the app (${baseUrl})`)
      }
      const cookie = typeof as === 'string' ? as : as && `${sessionCookie}=${as.session.cookie}`
      const res = await started.server.inject({
        method: 'GET',
        url: `${target.pathname}${target.search}`,
        headers: { ...(cookie && { cookie }), ...headers },
      } satisfies InjectOptions)
      return toTestResponse<unknown>(res)
    }
    const result: FreshApp = {
      app: started,
      baseUrl,
      clock,
      setupToken,
      visit,
      async setupStatus() {
        return (await visit('/api/setup')).json as SetupStatusJson
      },
      async sessionOf(res) {
        const cookie = setCookie(res.headers, sessionCookie)
        if (cookie === undefined) {
          return null
        }
        const session = await visit('/api/session', cookie)
        return session.status === 200 ? (session.json as SessionJson) : null
      },
      async startAnotherProcess() {
        const other = await startApp(config, silentLogger, clock)
        others.push(other)
        return other
      },
      async stopFirstProcess() {
        const next = others.shift()
        if (app === undefined || next === undefined) {
          throw new Error('start another process first')
        }
        await app.stop()
        app = next
        result.app = next
      },
      close,
    }
    return result
  } catch (e) {
    await close()
    throw e
  }
}

/**
 * An admin's OAuth install of `platform` into the community, expected to succeed: step one as
 * `client` (302 to the platform's authorize page), `approve` (the platform's answer: the callback
 * URL), the callback as `client`. The integration stored and where the browser ended up.
 */
export async function installByOAuth(
  t: FreshApp,
  input: {
    platform: string
    communityId: number
    client: TestClient
    approve: (authorizeUrl: string) => string
    externalId: string
  },
): Promise<{ integration: Integration; location: string }> {
  const { platform } = input
  const start = await t.visit(`/platforms/${platform}/install?community=${input.communityId}`, input.client)
  const location = start.headers['location']
  if (start.status !== 302 || typeof location !== 'string') {
    throw new Error(`install did not redirect to ${platform}: ${start.status} ${start.text}`)
  }
  const done = await t.visit(input.approve(location), input.client)
  const back = done.headers['location']
  if (done.status !== 302 || typeof back !== 'string' || !back.includes(`connected=${platform}`)) {
    throw new Error(`the OAuth callback failed: ${done.status} ${done.text}`)
  }
  const integration = await t.app.store.integrations.findByExternalId(platform, input.externalId)
  if (!integration) {
    throw new Error('the install stored no integration')
  }
  await t.clock.settle()
  return { integration, location: back }
}

/** The community holds exactly the kit's policies (by name). */
export async function assertKitPolicies(store: Store, communityId: number, kit: string): Promise<void> {
  const policies = await store.policies.list(communityId)
  assert.deepEqual(
    policies.map((p) => p.name).toSorted(),
    getKit(kit)
      .policies.map((p) => p.name)
      .toSorted(),
  )
}

/**
 * What every set-up from a platform must leave: one community, named `name`, holding the kit's
 * policies; its founder (the member with `account` on `platform`) holding the Admin role; the
 * browser signed in as the founder; the integration stored switched on; the set-up token used up.
 */
export async function assertFounded(
  t: FreshApp,
  res: TestResponse<unknown>,
  expected: { name: string; kit: string; platform: string; founderAccount: string; externalId: string },
): Promise<{ community: Community; founder: Member; session: SessionJson }> {
  const { store } = t.app
  const communities = await store.communities.listAll()
  assert.equal(communities.length, 1)
  const [community] = communities
  assert.ok(community)
  assert.equal(community.name, expected.name)
  assert.equal(res.headers['location'], `/c/${community.id}?connected=${expected.platform}`)
  await assertKitPolicies(store, community.id, expected.kit)
  const founder = await store.members.findByAccount(community.id, expected.platform, expected.founderAccount)
  assert.ok(founder, 'the founder is linked to their platform account')
  const roles = await store.roles.effectiveRoles(community.id, founder.id)
  assert.ok(roles.some((r) => r.name === 'Admin' && r.permissions.includes('manage_integrations')))
  const [integration] = await store.integrations.list(community.id)
  assert.ok(integration)
  assert.equal(integration.platform, expected.platform)
  assert.equal(integration.externalId, expected.externalId)
  assert.equal(integration.active, true)
  const session = await t.sessionOf(res)
  assert.ok(session, 'the browser is signed in')
  assert.deepEqual(session.memberships, [
    { communityId: community.id, communityName: community.name, memberId: founder.id },
  ])
  assert.equal((await t.setupStatus()).needed, false)
  return { community, founder, session }
}
