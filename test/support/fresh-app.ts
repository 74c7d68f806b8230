import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { InjectOptions } from 'fastify'
import { startApp, type App } from '../../src/app.ts'
import { loadConfig } from '../../src/config.ts'
import type { Community } from '../../src/domain/community.ts'
import type { Member } from '../../src/domain/member.ts'
import { silentLogger } from '../../src/engine/logger.ts'
import { getKit } from '../../src/kits/list-kits.ts'
import { sessionCookie } from '../../src/server/auth/session.ts'
import type { SessionJson, SetupStatusJson } from '../../src/server/presenters.ts'
import type { FakeClock } from './fake-clock.ts'
import { setCookie, toTestResponse, type TestResponse } from './server-harness.ts'
import { testSecretKey } from './test-store.ts'

/**
 * The real app (`startApp`: SQLite in a temporary directory, server listening on 127.0.0.1 at
 * `baseUrl`) with no community yet: first run, with the set-up token it printed. `env` adds a
 * platform's settings (pointing at its fake).
 */
export interface FreshApp {
  app: App
  baseUrl: string
  setupToken: string
  /** Requests a URL on the app (absolute or a path) as a browser with `cookie` (`name=value; …`). */
  visit(url: string, cookie?: string | null, headers?: Record<string, string>): Promise<TestResponse<unknown>>
  /** The set-up status (`GET /api/setup`). */
  setupStatus(): Promise<SetupStatusJson>
  /** The session a `pk_session` cookie from a response's headers holds, or null. */
  sessionOf(res: TestResponse<unknown>): Promise<SessionJson | null>
  close(): Promise<void>
}

export async function startFreshApp(input: {
  port: number
  clock: FakeClock
  env: Record<string, string>
}): Promise<FreshApp> {
  const baseUrl = `http://127.0.0.1:${input.port}`
  const dataDir = await mkdtemp(path.join(tmpdir(), 'policykit-fresh-'))
  let app: App | undefined
  const close = async () => {
    await app?.stop()
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
    const started = await startApp(config, silentLogger, input.clock)
    app = started
    await started.server.listen({ host: '127.0.0.1', port: input.port })
    input.clock.waitFor(() => started.idle())
    const { setupToken } = started
    if (setupToken === null) {
      throw new Error('a fresh app printed no set-up token')
    }
    const visit = async (url: string, cookie?: string | null, headers: Record<string, string> = {}) => {
      const target = new URL(url, baseUrl)
      if (target.origin !== baseUrl) {
        throw new Error(`${url} is not on the app (${baseUrl})`)
      }
      const res = await started.server.inject({
        method: 'GET',
        url: `${target.pathname}${target.search}`,
        headers: { ...(typeof cookie === 'string' && { cookie }), ...headers },
      } satisfies InjectOptions)
      return toTestResponse<unknown>(res)
    }
    return {
      app: started,
      baseUrl,
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
      close,
    }
  } catch (e) {
    await close()
    throw e
  }
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
): Promise<{ community: Community; founder: Member }> {
  const { store } = t.app
  const communities = await store.communities.listAll()
  assert.equal(communities.length, 1)
  const [community] = communities
  assert.ok(community)
  assert.equal(community.name, expected.name)
  assert.equal(res.headers['location'], `/c/${community.id}?connected=${expected.platform}`)
  const policies = await store.policies.list(community.id)
  assert.deepEqual(
    policies.map((p) => p.name).toSorted(),
    getKit(expected.kit)
      .policies.map((p) => p.name)
      .toSorted(),
  )
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
  assert.deepEqual(session?.memberships, [
    { communityId: community.id, communityName: community.name, memberId: founder.id },
  ])
  assert.equal((await t.setupStatus()).needed, false)
  return { community, founder }
}
