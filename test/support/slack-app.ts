import type { Integration } from '../../src/domain/community.ts'
import { startFakeSlack, type FakeSlack, type FakeUser } from '../fakes/slack/fake-slack.ts'
import { fakeClock } from './fake-clock.ts'
import { freePort } from './free-port.ts'
import { installByOAuth, startFreshApp, type FreshApp } from './fresh-app.ts'
import { joinByInvite, setUpByPassword, type TestClient, type TestResponse } from './server-harness.ts'

/** `FreshApp` configured against a fake Slack, before set-up: no community yet. */
export interface FreshSlackApp extends FreshApp {
  fake: FakeSlack
  /** The Slack workspace's admin, who installs the app. */
  slackAdmin: FakeUser
  /** Ordinary workspace members (`bob`, `carol`, `dave` unless `slackUsers` says otherwise). */
  slackUsers: FakeUser[]
  /** Follows a redirect to the fake's authorize page as `user`, approving: the URL Slack sends the browser back to. */
  authorize(authorizeUrl: string, user: FakeUser): string
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
  const port = await freePort()
  const baseUrl = `http://127.0.0.1:${port}`
  const fake = await startFakeSlack({
    now: () => clock.now(),
    ...(options.teamName !== undefined && { teamName: options.teamName }),
    ...(options.maxPageSize !== undefined && { maxPageSize: options.maxPageSize }),
  })
  clock.waitFor(() => fake.idle())
  const fresh = await startFreshApp({
    port,
    clock,
    fake,
    env: {
      SLACK_CLIENT_ID: fake.clientId,
      SLACK_CLIENT_SECRET: fake.clientSecret,
      SLACK_SIGNING_SECRET: fake.signingSecret,
      SLACK_API_URL: fake.apiUrl,
      SLACK_AUTHORIZE_URL: fake.authorizeUrl,
      SLACK_OIDC_AUTHORIZE_URL: fake.oidcAuthorizeUrl,
    },
  })
  fake.setEndpoints({
    eventsUrl: `${baseUrl}/platforms/slack/events`,
    interactivityUrl: `${baseUrl}/platforms/slack/interactivity`,
  })
  const slackAdmin = fake.addUser({ name: 'ada', realName: 'Ada Admin', admin: true })
  const slackUsers = (options.slackUsers ?? ['bob', 'carol', 'dave']).map((name) =>
    fake.addUser({ name, realName: `${name[0]?.toUpperCase() ?? ''}${name.slice(1)} Slack` }),
  )
  // The same object: `stopFirstProcess` changes its `app`.
  return Object.assign(fresh, {
    fake,
    slackAdmin,
    slackUsers,
    authorize: (authorizeUrl: string, user: FakeUser) => fake.authorize(authorizeUrl, user),
  })
}

export async function startSlackApp(options: SlackAppOptions = {}): Promise<SlackTestApp> {
  const fresh = await startFreshSlackApp(options)
  try {
    const { server } = fresh.app
    const { communityId, admin } = await setUpByPassword(server, {
      token: fresh.setupToken,
      communityName: 'Slack community',
      kit: options.kit ?? 'testing',
    })
    // Each joiner comes from an address of its own: the invite routes are rate-limited per address.
    let joined = 0
    return Object.assign(fresh, {
      communityId,
      admin,
      member(username: string) {
        joined += 1
        return joinByInvite(server, { admin, communityId, username, remoteAddress: `10.1.0.${joined}` })
      },
      installSlack: (installOptions: { as?: TestClient; installer?: FakeUser } = {}) =>
        installByOAuth(fresh, {
          platform: 'slack',
          communityId,
          client: installOptions.as ?? admin,
          approve: (authorizeUrl) => fresh.authorize(authorizeUrl, installOptions.installer ?? fresh.slackAdmin),
          externalId: fresh.fake.workspace.team.id,
        }),
      startInstall: (client: TestClient, community = communityId) =>
        fresh.visit(`/platforms/slack/install?community=${community}`, client),
    })
  } catch (e) {
    await fresh.close()
    throw e
  }
}
