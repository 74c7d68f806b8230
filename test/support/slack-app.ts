import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { InjectOptions } from 'fastify'
import { startApp, type App } from '../../src/app.ts'
import { loadConfig } from '../../src/config.ts'
import type { Integration } from '../../src/domain/community.ts'
import { silentLogger } from '../../src/engine/logger.ts'
import { sessionCookie } from '../../src/server/auth/session.ts'
import type { InviteJson, SessionJson } from '../../src/server/presenters.ts'
import { startFakeSlack, type FakeSlack, type FakeUser } from '../fakes/slack/fake-slack.ts'
import { fakeClock, type FakeClock } from './fake-clock.ts'
import { signedInClient, testPassword, toTestResponse, type TestClient, type TestResponse } from './server-harness.ts'
import { testSecretKey } from './test-store.ts'
import { freePort } from './free-port.ts'

/**
 * The real app (`startApp`: SQLite in a temporary directory, scheduler, server listening on
 * 127.0.0.1) configured against a fake Slack, before set-up: no community yet.
 */
export interface FreshSlackApp {
  app: App
  fake: FakeSlack
  /** `http://127.0.0.1:<port>`: the app's public URL too. */
  baseUrl: string
  clock: FakeClock
  /** The one-time set-up token the app printed. */
  setupToken: string
  /** The Slack workspace's admin, who installs the app. */
  slackAdmin: FakeUser
  /** Ordinary workspace members (`bob`, `carol`, `dave` unless `slackUsers` says otherwise). */
  slackUsers: FakeUser[]
  /** Follows a redirect to the fake's authorize page as `user`, approving: the URL Slack sends the browser back to. */
  authorize(authorizeUrl: string, user: FakeUser): string
  /** Requests a URL on the app (absolute or a path), with `client`'s session cookie when given. */
  visit(url: string, client?: TestClient | null, headers?: Record<string, string>): Promise<TestResponse<unknown>>
  close(): Promise<void>
}

/**
 * `FreshSlackApp` with a community set up (password set-up) and its admin signed in.
 * `installSlack()` connects the workspace the way an admin does: the OAuth dance in full.
 */
export interface SlackTestApp extends FreshSlackApp {
  communityId: number
  /** The dashboard admin (set-up account: Admin role plus the kit's creator roles), signed in. */
  admin: TestClient
  /** A new dashboard member of the community (local account, password `testPassword`), signed in. */
  member(username: string): Promise<TestClient>
  /**
   * The whole install as an admin does it, expected to succeed: the integration it stored and
   * where the browser ended up (`/c/<id>/settings?connected=slack…`).
   */
  installSlack(options?: {
    as?: TestClient
    installer?: FakeUser
  }): Promise<{ integration: Integration; location: string }>
  /** Step one: `GET /platforms/slack/install?community=…` as `client`; the response (302 to Slack's authorize page). */
  startInstall(client: TestClient, communityId?: number): Promise<TestResponse<unknown>>
}

/** The session a `Cookie` header signs in as on `t`, or null. */
export async function sessionOf(t: FreshSlackApp, cookie: string | undefined): Promise<SessionJson | null> {
  if (cookie === undefined) {
    return null
  }
  const res = await t.visit('/api/session', null, { cookie })
  return res.status === 200 ? (res.json as SessionJson) : null
}

export interface SlackAppOptions {
  /** The starter kit of the community (default `testing`: constitution actions pass at once). */
  kit?: string
  teamName?: string
  /** Names of the ordinary workspace members to add (default bob, carol, dave). */
  slackUsers?: string[]
  /** The largest page the fake's list methods return (to exercise paging). */
  maxPageSize?: number
}

/** The app and the fake Slack, nothing set up: for the first-run tests (Set up with Slack). */
export async function startFreshSlackApp(options: SlackAppOptions = {}): Promise<FreshSlackApp> {
  const clock = fakeClock()
  const fake = await startFakeSlack({
    now: () => clock.now(),
    ...(options.teamName !== undefined && { teamName: options.teamName }),
    ...(options.maxPageSize !== undefined && { maxPageSize: options.maxPageSize }),
  })
  const dataDir = await mkdtemp(path.join(tmpdir(), 'policykit-slack-'))
  let app: App | undefined
  const close = async () => {
    await app?.stop()
    await fake.close()
    await rm(dataDir, { recursive: true, force: true })
  }
  try {
    const port = await freePort()
    const baseUrl = `http://127.0.0.1:${port}`
    const config = loadConfig({
      POLICYKIT_DATA_DIR: dataDir,
      POLICYKIT_SECRET_KEY: testSecretKey.toString('hex'),
      POLICYKIT_PUBLIC_URL: baseUrl,
      POLICYKIT_SANDBOX_POOL: '2',
      SLACK_CLIENT_ID: fake.clientId,
      SLACK_CLIENT_SECRET: fake.clientSecret,
      SLACK_SIGNING_SECRET: fake.signingSecret,
      SLACK_API_URL: fake.apiUrl,
      SLACK_AUTHORIZE_URL: fake.authorizeUrl,
      SLACK_OIDC_AUTHORIZE_URL: fake.oidcAuthorizeUrl,
    })
    const started = await startApp(config, silentLogger, clock)
    app = started
    await started.server.listen({ host: '127.0.0.1', port })
    fake.setEndpoints({
      eventsUrl: `${baseUrl}/platforms/slack/events`,
      interactivityUrl: `${baseUrl}/platforms/slack/interactivity`,
    })
    clock.waitFor(() => fake.idle())
    clock.waitFor(() => started.idle())
    const { setupToken } = started
    if (setupToken === null) {
      throw new Error('a fresh app printed no set-up token')
    }
    const slackAdmin = fake.addUser({ name: 'ada', realName: 'Ada Admin', admin: true })
    const slackUsers = (options.slackUsers ?? ['bob', 'carol', 'dave']).map((name) =>
      fake.addUser({ name, realName: `${name[0]?.toUpperCase() ?? ''}${name.slice(1)} Slack` }),
    )
    const visit = async (url: string, client?: TestClient | null, headers: Record<string, string> = {}) => {
      const target = new URL(url, baseUrl)
      if (target.origin !== baseUrl) {
        throw new Error(`${url} is not on the app (${baseUrl})`)
      }
      const res = await started.server.inject({
        method: 'GET',
        url: `${target.pathname}${target.search}`,
        headers: { ...(client && { cookie: `${sessionCookie}=${client.session.cookie}` }), ...headers },
      } satisfies InjectOptions)
      return toTestResponse<unknown>(res)
    }
    return {
      app: started,
      fake,
      baseUrl,
      clock,
      setupToken,
      slackAdmin,
      slackUsers,
      authorize: (authorizeUrl, user) => fake.authorize(authorizeUrl, user),
      visit,
      close,
    }
  } catch (e) {
    await close()
    throw e
  }
}

export async function startSlackApp(options: SlackAppOptions = {}): Promise<SlackTestApp> {
  const fresh = await startFreshSlackApp(options)
  try {
    const { app: started, fake, clock } = fresh
    const { server } = started
    const setup = await server.inject({
      method: 'POST',
      url: '/api/setup',
      payload: {
        token: fresh.setupToken,
        communityName: 'Slack community',
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
    const startInstall = (client: TestClient, community = communityId) =>
      fresh.visit(`/platforms/slack/install?community=${community}`, client)

    // Each joiner comes from an address of its own: the invite routes are rate-limited per address.
    let joined = 0
    return {
      ...fresh,
      communityId,
      admin,
      async member(username) {
        const invite = await admin.post<InviteJson>(`/api/communities/${communityId}/invites`, {})
        const token = invite.json.url?.split('/').pop()
        if (invite.status !== 201 || token === undefined) {
          throw new Error(`could not make an invite: ${invite.status} ${invite.text}`)
        }
        joined += 1
        const accepted = await server.inject({
          method: 'POST',
          url: `/api/invites/${token}/accept`,
          remoteAddress: `10.1.0.${joined}`,
          payload: { username, password: testPassword },
        })
        if (accepted.statusCode !== 200) {
          throw new Error(`could not accept the invite as ${username}: ${accepted.statusCode} ${accepted.body}`)
        }
        return signedInClient(server, accepted, communityId)
      },
      async installSlack(installOptions = {}) {
        const client = installOptions.as ?? admin
        const start = await startInstall(client)
        const location = start.headers['location']
        if (start.status !== 302 || typeof location !== 'string') {
          throw new Error(`install did not redirect to Slack: ${start.status} ${start.text}`)
        }
        const callback = fresh.authorize(location, installOptions.installer ?? fresh.slackAdmin)
        const done = await fresh.visit(callback, client)
        const back = done.headers['location']
        if (done.status !== 302 || typeof back !== 'string' || !back.includes('connected=slack')) {
          throw new Error(`the OAuth callback failed: ${done.status} ${done.text}`)
        }
        const integration = await started.store.integrations.findByExternalId('slack', fake.workspace.team.id)
        if (!integration) {
          throw new Error('the install stored no integration')
        }
        await clock.settle()
        return { integration, location: back }
      },
      startInstall,
    }
  } catch (e) {
    await fresh.close()
    throw e
  }
}
