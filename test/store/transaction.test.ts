import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Store } from '../../src/store/store.ts'
import { openTestStore, testDialects } from '../support/test-store.ts'
import { policyInput, seedCommunity } from './seed.ts'

for (const dialect of testDialects()) {
  describe(`${dialect}: transactions`, () => {
    let store: Store
    before(async () => {
      store = await openTestStore(dialect)
    })
    after(() => store.close())

    it('keeps what the function wrote, through every repository', async () => {
      const c = await seedCommunity(store)
      const result = await store.transaction(async (tx) => {
        const member = await tx.members.create(c.id, {
          username: 'ada',
          now: 1,
        })
        const policy = await tx.policies.create(c.id, policyInput(), 1)
        // A nested call joins the same transaction.
        const nested = await tx.transaction(async (inner) => {
          assert.equal(inner, tx)
          return inner.policies.update(c.id, policy.id, { priority: 3 }, 2)
        })
        return { member, policy: nested }
      })
      assert.deepEqual(await store.members.get(c.id, result.member.id), result.member)
      assert.deepEqual(await store.policies.get(c.id, result.policy.id), result.policy)
    })

    it('keeps nothing when the function throws', async () => {
      const c = await seedCommunity(store)
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.members.create(c.id, { username: 'ghost', now: 1 })
          await tx.policies.create(c.id, policyInput(), 1)
          throw new Error('changed my mind')
        }),
        /changed my mind/,
      )
      assert.equal(await store.members.getByUsername(c.id, 'ghost'), undefined)
      assert.deepEqual(await store.policies.list(c.id), [])
    })
  })
}
