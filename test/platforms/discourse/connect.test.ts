import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { enginePlatforms } from '../../../src/app.ts'
import type { EngineRef } from '../../../src/create-platform-ports.ts'
import { createEngine } from '../../../src/engine/engine.ts'
import { silentLogger } from '../../../src/engine/logger.ts'
import { discourseWebhookSecret } from '../../../src/platforms/discourse/webhook-secret.ts'
import { createQuickJsSandbox } from '../../../src/sandbox/quickjs-sandbox.ts'
import type { Sandbox } from '../../../src/sandbox/sandbox.ts'
import { createServer } from '../../../src/server/create-server.ts'
import type { Store } from '../../../src/store/store.ts'
import type { FastifyInstance } from 'fastify'
import { testDiscourseOptions, testDiscourseWebhookKey } from '../../fakes/discourse/connect-directly.ts'
import { startFakeDiscourse, type FakeDiscourse } from '../../fakes/discourse/fake-discourse.ts'
import { fakeClock } from '../../support/fake-clock.ts'
import {
  signedInClient,
  testPassword,
  testPublicUrl,
  testSetupToken,
  type TestClient,
} from '../../support/server-harness.ts'
import { openTestStore, testSecretKey } from '../../support/test-store.ts'

interface Connected {
  activation: { status: string }
  members: number
  staff: string[]
  webhook: { url: string; contentType: string; secret: string }
}

/** Connecting a forum from PolicyKit with its URL, an admin API key and the username it acts as. */
describe('connecting a Discourse forum', () => {
  let fake: FakeDiscourse
  let store: Store
  let sandbox: Sandbox
  let app: FastifyInstance
  let admin: TestClient
  let communityId: number

  before(async () => {
    const clock = fakeClock()
    fake = await startFakeDiscourse({ now: () => clock.now() })
    fake.forum.addUser({ username: 'policykit', admin: true })
    fake.forum.addUser({ username: 'ada', name: 'Ada Lovelace', moderator: true })
    fake.forum.addUser({ username: 'bob' })
    store = await openTestStore('sqlite')
    sandbox = await createQuickJsSandbox({ poolSize: 1 })
    const engineRef: EngineRef = { current: null }
    const platforms = enginePlatforms({
      store,
      sandbox,
      settings: { discourse: testDiscourseOptions },
      engine: engineRef,
      clock,
      logger: silentLogger,
    })
    const engine = createEngine({ store, sandbox, platforms, clock })
    engineRef.current = engine
    app = await createServer({
      store,
      engine,
      platforms,
      sandbox,
      clock,
      logger: silentLogger,
      secretKey: testSecretKey,
      publicUrl: testPublicUrl,
      webRoot: null,
      setupToken: testSetupToken,
    })
    const setup = await app.inject({
      method: 'POST',
      url: '/api/setup',
      payload: {
        token: testSetupToken,
        communityName: 'Gardeners',
        kit: 'testing',
        username: 'admin',
        displayName: 'Admin',
        password: testPassword,
      },
    })
    assert.equal(setup.statusCode, 200, setup.body)
    communityId =
      (JSON.parse(setup.body) as { memberships: { communityId: number }[] }).memberships[0]?.communityId ?? 0
    admin = signedInClient(app, setup, communityId)
  })
  after(async () => {
    await app.close()
    await fake.close()
    await sandbox.close()
    await store.close()
  })

  const connect = (apiKey: string) =>
    admin.post<Connected & { error?: { message: string } }>('/platforms/discourse/connect', {
      community: communityId,
      url: `${fake.url}/`,
      apiKey,
      apiUsername: 'policykit',
    })

  it('refuses a key the forum refuses, storing nothing', async () => {
    const refused = await connect('not the key')
    assert.equal(refused.status, 400)
    assert.match(refused.json.error?.message ?? '', /admin API key for policykit/)
    assert.deepEqual(await store.integrations.list(communityId), [])
  })

  it('checks the key, stores the connection, switches it on through the constitution, imports the forum’s people and gives the webhook to enter', async () => {
    const connected = await connect(fake.apiKey)
    assert.equal(connected.status, 200, connected.text)
    assert.equal(connected.json.activation.status, 'active')
    assert.equal(connected.json.members, 2, 'ada and bob: not system, discobot nor PolicyKit’s own user')
    assert.deepEqual(connected.json.staff, ['ada'])
    assert.deepEqual(connected.json.webhook, {
      url: `${testPublicUrl}/platforms/discourse/webhook`,
      contentType: 'application/json',
      secret: discourseWebhookSecret(testDiscourseWebhookKey, fake.url),
    })
    const [integration] = await store.integrations.list(communityId)
    assert.equal(integration?.externalId, fake.url, 'the URL without its trailing slash')
    assert.equal(integration?.active, true)
    assert.deepEqual(integration?.config, { title: fake.forum.title })
    const ada = await store.members.findByAccount(communityId, 'discourse', String(fake.forum.findUser('ada')?.id))
    assert.equal(ada?.displayName, 'Ada Lovelace')
    assert.deepEqual(fake.violations, [])
  })
})
