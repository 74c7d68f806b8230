import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { InjectOptions } from 'fastify'
import { startApp, type App } from '../../src/app.ts'
import { loadConfig } from '../../src/config.ts'
import type { Integration } from '../../src/domain/community.ts'
import { silentLogger } from '../../src/engine/logger.ts'
import { sessionCookie } from '../../src/server/auth/session.ts'
import type { SessionJson } from '../../src/server/presenters.ts'
import { startFakeDiscord, type FakeDiscord, type FakeMember } from '../fakes/discord/fake-discord.ts'
import { fakeClock, type FakeClock } from './fake-clock.ts'
import { freePort } from './free-port.ts'
import { signedInClient, testPassword, toTestResponse, type TestClient, type TestResponse } from './server-harness.ts'
import { testSecretKey } from './test-store.ts'

/**
 * The real app (`startApp`: SQLite in a temporary directory, scheduler, server listening on
 * 127.0.0.1) configured against a fake Discord, with a community set up by password and its admin
 * signed in; the guild not connected yet (`installDiscord()` does it the way an admin does).
 */
export interface DiscordTestApp {
  app: App
  fake: FakeDiscord
  baseUrl: string
  clock: FakeClock
  communityId: number
  admin: TestClient
  /** Guild members besides the owner: ada, bob, carol (no special roles). */
  people: FakeMember[]
  /** Requests a URL on the app (absolute or a path), with `client`'s session cookie when given. */
  visit(url: string, client?: TestClient | null, headers?: Record<string, string>): Promise<TestResponse<unknown>>
  /** `GET /platforms/discord/install?community=…` as `client`. */
  startInstall(client: TestClient): Promise<TestResponse<unknown>>
  /** The whole install, approved by `installer` (the guild's owner by default), expected to succeed. */
  installDiscord(options?: { installer?: FakeMember }): Promise<{ integration: Integration; location: string }>
  /** A second PolicyKit process on the same database (not serving HTTP): for the gateway's lease. */
  startAnotherProcess(): Promise<App>
  /** Stops the first process (the one serving HTTP); `app` is then the other process. */
  stopFirstProcess(): Promise<void>
  close(): Promise<void>
}

export async function startDiscordApp(options: { kit?: string; leaseSeconds?: number } = {}): Promise<DiscordTestApp> {
  const clock = fakeClock()
  const port = await freePort()
  const baseUrl = `http://127.0.0.1:${port}`
  const fake = await startFakeDiscord({
    now: () => clock.now(),
    redirectUris: [`${baseUrl}/platforms/discord/install/callback`, `${baseUrl}/platforms/discord/signin/callback`],
  })
  const dataDir = await mkdtemp(path.join(tmpdir(), 'policykit-discord-'))
  let app: App | undefined
  const others: App[] = []
  const close = async () => {
    for (const other of others) {
      await other.stop()
    }
    await app?.stop()
    await fake.close()
    await rm(dataDir, { recursive: true, force: true })
  }
  try {
    const config = loadConfig({
      POLICYKIT_DATA_DIR: dataDir,
      POLICYKIT_SECRET_KEY: testSecretKey.toString('hex'),
      POLICYKIT_PUBLIC_URL: baseUrl,
      POLICYKIT_SANDBOX_POOL: '2',
      DISCORD_CLIENT_ID: fake.clientId,
      DISCORD_CLIENT_SECRET: fake.clientSecret,
      DISCORD_BOT_TOKEN: fake.botToken,
      DISCORD_PUBLIC_KEY: fake.publicKey,
      DISCORD_API_URL: fake.apiUrl,
      DISCORD_AUTHORIZE_URL: fake.authorizeUrl,
      DISCORD_GATEWAY_URL: fake.gateway.url,
      POLICYKIT_LISTENER_LEASE_SECONDS: String(options.leaseSeconds ?? 0.6),
    })
    const started = await startApp(config, silentLogger, clock)
    app = started
    await started.server.listen({ host: '127.0.0.1', port })
    fake.setInteractionsUrl(`${baseUrl}/platforms/discord/interactions`)
    clock.waitFor(() => started.idle())
    const { server } = started
    const setup = await server.inject({
      method: 'POST',
      url: '/api/setup',
      payload: {
        token: started.setupToken,
        communityName: 'Discord community',
        kit: options.kit ?? 'testing',
        username: 'admin',
        displayName: 'Admin',
        password: testPassword,
      },
    })
    if (setup.statusCode !== 200) {
      throw new Error(`set-up failed: ${setup.statusCode} ${setup.body}`)
    }
    const communityId = toTestResponse<SessionJson>(setup).json.memberships[0]?.communityId
    if (communityId === undefined) {
      throw new Error(`set-up made no community: ${setup.body}`)
    }
    const admin = signedInClient(server, setup, communityId)
    const people = ['ada', 'bob', 'carol'].map((name) =>
      fake.addMember({ name, globalName: `${name[0]?.toUpperCase() ?? ''}${name.slice(1)} Discord` }),
    )
    const visit = async (url: string, client?: TestClient | null, headers: Record<string, string> = {}) => {
      const target = new URL(url, baseUrl)
      if (target.origin !== baseUrl) {
        throw new Error(`${url} is not on the app (${baseUrl})`)
      }
      const res = await server.inject({
        method: 'GET',
        url: `${target.pathname}${target.search}`,
        headers: { ...(client && { cookie: `${sessionCookie}=${client.session.cookie}` }), ...headers },
      } satisfies InjectOptions)
      return toTestResponse<unknown>(res)
    }
    const startInstall = (client: TestClient) => visit(`/platforms/discord/install?community=${communityId}`, client)
    const result: DiscordTestApp = {
      app: started,
      fake,
      baseUrl,
      clock,
      communityId,
      admin,
      people,
      visit,
      startInstall,
      async installDiscord(installOptions = {}) {
        const start = await startInstall(admin)
        const location = start.headers['location']
        if (start.status !== 302 || typeof location !== 'string') {
          throw new Error(`install did not redirect to Discord: ${start.status} ${start.text}`)
        }
        const callback = fake.authorize(location, (installOptions.installer ?? fake.owner).user)
        const done = await visit(callback, admin)
        const back = done.headers['location']
        if (done.status !== 302 || typeof back !== 'string' || !back.includes('connected=discord')) {
          throw new Error(`the OAuth callback failed: ${done.status} ${done.text}`)
        }
        const integration = await started.store.integrations.findByExternalId('discord', fake.guild.id)
        if (!integration) {
          throw new Error('the install stored no integration')
        }
        await clock.settle()
        return { integration, location: back }
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
      async startAnotherProcess() {
        const other = await startApp(config, silentLogger, clock)
        others.push(other)
        return other
      },
      close,
    }
    return result
  } catch (e) {
    await close()
    throw e
  }
}
