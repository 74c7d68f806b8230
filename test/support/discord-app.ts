import type { Integration } from '../../src/domain/community.ts'
import { startFakeDiscord, type FakeDiscord, type FakeMember } from '../fakes/discord/fake-discord.ts'
import { fakeClock } from './fake-clock.ts'
import { freePort } from './free-port.ts'
import { installByOAuth, startFreshApp, type FreshApp } from './fresh-app.ts'
import { setUpByPassword, type TestClient, type TestResponse } from './server-harness.ts'

/** The app's settings for Discord, pointing at `fake`. */
export function discordEnv(fake: FakeDiscord): Record<string, string> {
  return {
    DISCORD_CLIENT_ID: fake.clientId,
    DISCORD_CLIENT_SECRET: fake.clientSecret,
    DISCORD_BOT_TOKEN: fake.botToken,
    DISCORD_PUBLIC_KEY: fake.publicKey,
    DISCORD_API_URL: fake.apiUrl,
    DISCORD_AUTHORIZE_URL: fake.authorizeUrl,
    DISCORD_GATEWAY_URL: fake.gateway.url,
  }
}

/**
 * `FreshApp` configured against a fake Discord, with a community set up by password and its admin
 * signed in; the guild not connected yet (`installDiscord()` does it the way an admin does).
 */
export interface DiscordTestApp extends FreshApp {
  fake: FakeDiscord
  communityId: number
  admin: TestClient
  /** Guild members besides the owner: ada, bob, carol (no special roles). */
  people: FakeMember[]
  /** `GET /platforms/discord/install?community=…` as `client`. */
  startInstall(client: TestClient): Promise<TestResponse<unknown>>
  /** The whole install, approved by `installer` (the guild's owner by default), expected to succeed. */
  installDiscord(options?: { installer?: FakeMember }): Promise<{ integration: Integration; location: string }>
}

export async function startDiscordApp(options: { kit?: string; leaseSeconds?: number } = {}): Promise<DiscordTestApp> {
  const clock = fakeClock()
  const port = await freePort()
  const baseUrl = `http://127.0.0.1:${port}`
  const fake = await startFakeDiscord({
    now: () => clock.now(),
    redirectUris: [`${baseUrl}/platforms/discord/install/callback`, `${baseUrl}/platforms/discord/signin/callback`],
  })
  const fresh = await startFreshApp({
    port,
    clock,
    fake,
    env: { ...discordEnv(fake), POLICYKIT_LISTENER_LEASE_SECONDS: String(options.leaseSeconds ?? 0.6) },
  })
  try {
    fake.setInteractionsUrl(`${baseUrl}/platforms/discord/interactions`)
    const { communityId, admin } = await setUpByPassword(fresh.app.server, {
      token: fresh.setupToken,
      communityName: 'Discord community',
      kit: options.kit ?? 'testing',
    })
    const people = ['ada', 'bob', 'carol'].map((name) =>
      fake.addMember({ name, globalName: `${name[0]?.toUpperCase() ?? ''}${name.slice(1)} Discord` }),
    )
    // The same object: `stopFirstProcess` changes its `app`.
    return Object.assign(fresh, {
      fake,
      communityId,
      admin,
      people,
      startInstall: (client: TestClient) => fresh.visit(`/platforms/discord/install?community=${communityId}`, client),
      installDiscord: (installOptions: { installer?: FakeMember } = {}) =>
        installByOAuth(fresh, {
          platform: 'discord',
          communityId,
          client: admin,
          approve: (authorizeUrl) => fake.authorize(authorizeUrl, (installOptions.installer ?? fake.owner).user),
          externalId: fake.guild.id,
        }),
    })
  } catch (e) {
    await fresh.close()
    throw e
  }
}
