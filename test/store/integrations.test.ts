import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { isAppError } from '../../src/errors.ts'
import { createIntegrationRepo } from '../../src/store/integration-repo.ts'
import type { IntegrationInput, Store } from '../../src/store/store.ts'
import { openTestStore, testDialects } from '../support/test-store.ts'
import { seedCommunity } from './seed.ts'

function slack(externalId: string): IntegrationInput {
  return {
    platform: 'slack',
    externalId,
    config: { channel: 'C1' },
    credentials: { botToken: 'xoxb-very-secret' },
    now: 5,
  }
}

for (const dialect of testDialects()) {
  describe(`${dialect}: integrations`, () => {
    let store: Store
    before(async () => {
      store = await openTestStore(dialect)
    })
    after(() => store.close())

    it('round-trips without exposing credentials, and finds by external id', async () => {
      const c = await seedCommunity(store)
      const created = await store.integrations.create(c.id, slack('T1'))
      const expected = {
        id: created.id,
        communityId: c.id,
        platform: 'slack',
        externalId: 'T1',
        config: { channel: 'C1' },
        active: true,
        createdAt: 5,
      }
      assert.deepEqual(created, expected)
      assert.deepEqual(await store.integrations.get(c.id, created.id), expected)
      assert.deepEqual(await store.integrations.findByExternalId('slack', 'T1'), expected)
      assert.equal(await store.integrations.findByExternalId('discord', 'T1'), undefined)
      await store.integrations.setActive(c.id, created.id, false)
      assert.deepEqual(await store.integrations.list(c.id, { activeOnly: true }), [])
      assert.deepEqual(await store.integrations.list(c.id), [{ ...expected, active: false }])
    })

    it('encrypts credentials at rest and decrypts them only through getCredentials', async () => {
      const c = await seedCommunity(store)
      const created = await store.integrations.create(c.id, slack('T2'))
      const raw = await store.db
        .selectFrom('integrations')
        .select('credentials')
        .where('id', '=', created.id)
        .executeTakeFirstOrThrow()
      assert.ok(!raw.credentials.includes('xoxb-very-secret'))
      assert.deepEqual(await store.integrations.getCredentials(c.id, created.id), { botToken: 'xoxb-very-secret' })
      await store.integrations.setCredentials(c.id, created.id, {
        botToken: 'xoxb-rotated',
      })
      assert.deepEqual(await store.integrations.getCredentials(c.id, created.id), { botToken: 'xoxb-rotated' })
    })

    it('fails clearly when the server key is not the one that encrypted them', async () => {
      const c = await seedCommunity(store)
      const created = await store.integrations.create(c.id, slack('T3'))
      const otherKey = createIntegrationRepo(store.db, Buffer.alloc(32, 9))
      await assert.rejects(
        otherKey.getCredentials(c.id, created.id),
        /integration \d+: cannot decrypt: wrong secret key/,
      )
    })

    it('refuses a second connection of the same platform id', async () => {
      const a = await seedCommunity(store)
      const b = await seedCommunity(store)
      await store.integrations.create(a.id, slack('T4'))
      await assert.rejects(store.integrations.create(b.id, slack('T4')), (e) => isAppError(e, 'conflict'))
    })

    it('keeps another community out', async () => {
      const a = await seedCommunity(store)
      const b = await seedCommunity(store)
      const created = await store.integrations.create(a.id, slack('T5'))
      assert.equal(await store.integrations.get(b.id, created.id), undefined)
      assert.deepEqual(await store.integrations.list(b.id), [])
      await assert.rejects(store.integrations.getCredentials(b.id, created.id), (e) => isAppError(e, 'not_found'))
      await assert.rejects(
        store.integrations.setCredentials(b.id, created.id, {
          botToken: 'mine',
        }),
        (e) => isAppError(e, 'not_found'),
      )
      await assert.rejects(store.integrations.setActive(b.id, created.id, false), (e) => isAppError(e, 'not_found'))
      assert.deepEqual(await store.integrations.getCredentials(a.id, created.id), { botToken: 'xoxb-very-secret' })
      assert.equal((await store.integrations.get(a.id, created.id))?.active, true)
    })
  })
}
