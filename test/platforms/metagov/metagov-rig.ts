import { derivePlatformKey } from '../../../src/derive-platform-key.ts'
import type { PolicyInput } from '../../../src/store/store.ts'
import { CallbackUrls } from '../../../src/platforms/metagov/callback-urls.ts'
import { MetagovDriver } from '../../fakes/metagov/driver.ts'
import { startFakeGateway, type FakeGateway } from '../../fakes/metagov/fake-gateway.ts'
import { freePort } from '../../support/free-port.ts'
import { startTestServer, type TestClient, type TestServer } from '../../support/server-harness.ts'
import { testSecretKey } from '../../support/test-store.ts'
import { policyInput } from '../../store/seed.ts'

/** The seed's example config (the Integrations guide), its placeholders filled. */
export function seedExampleConfig(gatewaySourcecred: string) {
  return {
    name: '<set by PolicyKit>',
    readable_name: '<set by PolicyKit>',
    plugins: [
      { name: 'sourcecred', config: { server_url: gatewaySourcecred } },
      {
        name: 'discourse',
        config: {
          server_url: 'https://forum.example.org',
          api_key: 'discourse-api-key',
          webhook_secret: 'discourse-webhook-secret',
        },
      },
      {
        name: 'opencollective',
        config: { api_key: 'oc-api-key', collective_slug: 'gardeners', webhook_slug: 'oc-webhook-slug' },
      },
      { name: 'loomio', config: { api_key: 'loomio-api-key' } },
    ],
  }
}

export const sourcecredUrl = 'https://cred.example.org'

/**
 * The real server, listening on a port the fake gateway calls back, with Metagov pointed at the
 * fake gateway whose `DRIVER_EVENT_RECEIVER_URL` is set as README says; a community set up with
 * the testing kit (everything passes at once) whose Admin connected Metagov and saved the seed's
 * example plugins plus `randomness` and `github` on the config page.
 */
export interface MetagovRig {
  server: TestServer
  gateway: FakeGateway
  driver: MetagovDriver
  admin: TestClient
  slug: string
  urls: CallbackUrls
  origin: string
  addPolicy(patch: Partial<PolicyInput>): Promise<number>
  close(): Promise<void>
}

export async function startMetagovRig(): Promise<MetagovRig> {
  const port = await freePort()
  const origin = `http://127.0.0.1:${port}`
  const clockNow = { now: () => Date.UTC(2026, 0, 1) }
  const gateway = await startFakeGateway({ now: () => clockNow.now() })
  const server = await startTestServer({
    kit: 'testing',
    publicUrl: origin,
    platformSettings: { metagov: { url: gateway.url } },
  })
  clockNow.now = () => server.clock.now()
  await server.app.listen({ port, host: '127.0.0.1' })
  const urls = new CallbackUrls(derivePlatformKey(testSecretKey, 'metagov callbacks'), origin)
  gateway.driverEventReceiverUrl = urls.eventReceiver()
  const { admin, communityId } = server
  const connected = await admin.post<{ slug: string; activation: { status: string } }>('/platforms/metagov/connect', {
    community: communityId,
    readableName: 'Gardeners',
  })
  if (connected.status !== 200 || connected.json.activation.status !== 'active') {
    throw new Error(`could not connect Metagov: ${connected.status} ${connected.text}`)
  }
  const config = seedExampleConfig(sourcecredUrl)
  config.plugins.push(
    { name: 'randomness', config: { default_low: 0, default_high: 10 } } as never,
    { name: 'github', config: { owner: 'gardeners', installation_id: '4242' } } as never,
  )
  const saved = await admin.post<{ status: string }>('/platforms/metagov/config', { community: communityId, config })
  if (saved.status !== 200 || !['executed', 'passed'].includes(saved.json.status)) {
    throw new Error(`could not save the Metagov config: ${saved.status} ${saved.text}`)
  }
  return {
    server,
    gateway,
    driver: new MetagovDriver(gateway),
    admin,
    slug: connected.json.slug,
    urls,
    origin,
    async addPolicy(patch) {
      const policy = await server.store.policies.create(communityId, policyInput(patch), server.clock.now())
      return policy.id
    },
    async close() {
      await server.close()
      await gateway.close()
    },
  }
}
