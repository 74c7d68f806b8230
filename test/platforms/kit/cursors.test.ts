import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createPlatformPorts } from '../../../src/create-platform-ports.ts'
import { silentLogger } from '../../../src/engine/logger.ts'
import type { Store } from '../../../src/store/store.ts'
import { openTestStore, testDialects } from '../../support/test-store.ts'

/** The kit's poller cursors and the listing of a platform's connections across communities, on both databases. */
for (const dialect of testDialects()) {
  describe(`${dialect}: platform cursors`, () => {
    let store: Store
    before(async () => {
      store = await openTestStore(dialect)
    })
    after(() => store.close())

    const ports = (platform: string) =>
      createPlatformPorts({ platform, store, engine: { current: null }, logger: silentLogger, now: () => 1000 })

    it('keeps the last value set for a key, per platform and community', async () => {
      const one = (await store.communities.create({ name: 'one', now: 1 })).id
      const two = (await store.communities.create({ name: 'two', now: 1 })).id
      const reddit = ports('reddit')
      assert.equal(await reddit.cursors.get(one, 'new'), null)
      await reddit.cursors.set(one, 'new', 'a')
      await reddit.cursors.set(one, 'new', 'b')
      await reddit.cursors.set(two, 'new', 'c')
      await ports('other').cursors.set(one, 'new', 'd')
      assert.equal(await reddit.cursors.get(one, 'new'), 'b')
      assert.equal(await reddit.cursors.get(two, 'new'), 'c')
      assert.equal(await ports('other').cursors.get(one, 'new'), 'd')
    })

    it('lists a platform’s connections in every community, active ones only when asked', async () => {
      const one = (await store.communities.create({ name: 'three', now: 1 })).id
      const two = (await store.communities.create({ name: 'four', now: 1 })).id
      const reddit = ports('listed')
      const a = await reddit.integrations.createInactive(one, { externalId: 't5_a', config: {}, credentials: {} })
      const b = await reddit.integrations.createInactive(two, { externalId: 't5_b', config: {}, credentials: {} })
      await ports('elsewhere').integrations.createInactive(one, { externalId: 'x', config: {}, credentials: {} })
      await reddit.integrations.setActive(b, true)
      assert.deepEqual(
        (await reddit.integrations.listAll()).map((i) => i.id),
        [a.id, b.id],
      )
      assert.deepEqual(
        (await reddit.integrations.listAll({ activeOnly: true })).map((i) => i.externalId),
        ['t5_b'],
      )
    })
  })
}
