import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { discourseWebhookSecret } from '../../../src/platforms/discourse/webhook-secret.ts'
import type { Store } from '../../../src/store/store.ts'
import { testDiscourseOptions, testDiscourseWebhookKey } from '../../fakes/discourse/connect-directly.ts'
import { startFakeDiscourse, type FakeDiscourse } from '../../fakes/discourse/fake-discourse.ts'
import { freePort } from '../../support/free-port.ts'
import { startTestServer, testPublicUrl, type TestClient, type TestServer } from '../../support/server-harness.ts'

/** Where the test server listens once asked to (for a connection to it that is no forum). */
async function listening(server: TestServer): Promise<string> {
  const address = server.app.server.address()
  if (address !== null && typeof address === 'object') {
    return `http://127.0.0.1:${address.port}`
  }
  await server.app.listen({ host: '127.0.0.1', port: 0 })
  return listening(server)
}

interface Connected {
  activation: { status: string }
  members: number
  staff: string[]
  webhook: { url: string; contentType: string; secret: string }
}

/** Connecting a forum from PolicyKit with its URL, an admin API key and the username it acts as. */
describe('connecting a Discourse forum', () => {
  let fake: FakeDiscourse
  let server: TestServer
  let store: Store
  let admin: TestClient
  let communityId: number

  before(async () => {
    fake = await startFakeDiscourse({ now: () => Date.now() })
    fake.forum.addUser({ username: 'policykit', admin: true })
    fake.forum.addUser({ username: 'ada', name: 'Ada Lovelace', moderator: true })
    fake.forum.addUser({ username: 'bob' })
    server = await startTestServer({ kit: 'testing', platformSettings: { discourse: testDiscourseOptions } })
    ;({ store, admin, communityId } = server)
  })
  after(async () => {
    await server.close()
    await fake.close()
  })

  const connectAs = (client: TestClient, fields: { url?: string; apiKey?: string }) =>
    client.post<Connected & { error?: { message: string } }>('/platforms/discourse/connect', {
      community: communityId,
      url: fields.url ?? `${fake.url}/`,
      apiKey: fields.apiKey ?? fake.apiKey,
      apiUsername: 'policykit',
    })
  const connect = (apiKey: string) => connectAs(admin, { apiKey })

  it('refuses a key the forum refuses, storing nothing', async () => {
    const refused = await connect('not the key')
    assert.equal(refused.status, 400)
    assert.match(refused.json.error?.message ?? '', /admin API key for policykit/)
    assert.deepEqual(await store.integrations.list(communityId), [])
  })

  it('refuses an address where no forum answers, or something else than Discourse does, storing nothing', async () => {
    const nobody = `http://127.0.0.1:${await freePort()}`
    const unreachable = await connectAs(admin, { url: nobody })
    assert.equal(unreachable.status, 400, unreachable.text)
    assert.match(
      unreachable.json.error?.message ?? '',
      /could not reach http:\/\/127\.0\.0\.1:\d+: check the forum’s address/,
    )
    // PolicyKit's own server is no Discourse forum: it answers /about.json with a 404.
    const notAForum = await connectAs(admin, { url: `${await listening(server)}/` })
    assert.equal(notAForum.status, 400, notAForum.text)
    assert.match(notAForum.json.error?.message ?? '', /does not answer as a Discourse forum \(GET \/about\.json: 404\)/)
    const notAUrl = await connectAs(admin, { url: 'ftp://forum.example.org' })
    assert.equal(notAUrl.status, 400, notAUrl.text)
    assert.match(notAUrl.json.error?.message ?? '', /url: the forum’s address/)
    assert.deepEqual(await store.integrations.list(communityId), [])
  })

  it('refuses a member without manage_integrations, and a caller not signed in, before asking the forum', async () => {
    const role = await store.roles.getByName(communityId, 'Member')
    assert.ok(role)
    await store.roles.update(communityId, role.id, {
      permissions: role.permissions.filter((p) => p !== 'manage_integrations'),
    })
    const bob = await server.member('bob')
    const asked = fake.requests.length
    const refused = await connectAs(bob, {})
    assert.equal(refused.status, 403, refused.text)
    assert.match(refused.json.error?.message ?? '', /needs the manage_integrations permission/)
    const anonymous = await server.app.inject({
      method: 'POST',
      url: '/platforms/discourse/connect',
      payload: { community: communityId, url: fake.url, apiKey: fake.apiKey, apiUsername: 'policykit' },
    })
    assert.equal(anonymous.statusCode, 401, anonymous.body)
    assert.equal(fake.requests.length, asked, 'the forum was not asked')
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
