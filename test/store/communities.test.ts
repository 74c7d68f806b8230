import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { isAppError } from '../../src/errors.ts'
import type { Store } from '../../src/store/store.ts'
import { openTestStore, testDialects } from '../support/test-store.ts'
import { policyInput, seedCommunity } from './seed.ts'

for (const dialect of testDialects()) {
  describe(`${dialect}: communities and documents`, () => {
    let store: Store
    before(async () => {
      store = await openTestStore(dialect)
    })
    after(() => store.close())

    it('creates, reads, lists and updates communities', async () => {
      const created = await store.communities.create({
        name: 'garden',
        settings: { sweepMs: 5000 },
        now: 1_700_000_000_000,
      })
      assert.deepEqual(await store.communities.get(created.id), {
        id: created.id,
        name: 'garden',
        settings: { sweepMs: 5000 },
        createdAt: 1_700_000_000_000,
      })
      const renamed = await store.communities.update(created.id, {
        name: 'orchard',
      })
      assert.deepEqual(renamed.settings, { sweepMs: 5000 })
      assert.equal(renamed.name, 'orchard')
      assert.deepEqual(await store.communities.update(created.id, {}), renamed)
      assert.ok((await store.communities.listAll()).some((c) => c.id === created.id))
      assert.equal(await store.communities.get(created.id + 1000), undefined)
      await assert.rejects(store.communities.update(created.id + 1000, { name: 'x' }), (e) =>
        isAppError(e, 'not_found'),
      )
    })

    it("moves a community's cache version whenever its members, their roles, its roles or its policies change, and only its own", async () => {
      const a = await seedCommunity(store, 'a')
      const b = await seedCommunity(store, 'b')
      const versions = async () => [
        await store.communities.cacheVersion(a.id),
        await store.communities.cacheVersion(b.id),
      ]
      const [first, other] = await versions()
      let last = first
      assert.equal(typeof last, 'number')
      const moved = async (what: string) => {
        const [now, otherNow] = await versions()
        assert.notEqual(now, last, `${what} moved the version`)
        assert.equal(otherNow, other, `${what} left the other community's version alone`)
        last = now
      }
      const member = await store.members.create(a.id, { username: 'ada', now: 1 })
      await moved('a new member')
      const role = await store.roles.create(a.id, { name: 'Gardener', permissions: ['vote'] })
      await moved('a new role')
      await store.roles.update(a.id, role.id, { permissions: ['vote', 'propose:*'] })
      await moved("a role's permissions")
      await store.roles.assign(a.id, member.id, role.id)
      await moved('a role given')
      await store.roles.unassign(a.id, member.id, role.id)
      await moved('a role taken')
      const policy = await store.policies.create(a.id, policyInput(), 1)
      await moved('a new policy')
      await store.policies.setActive(a.id, policy.id, false, 2)
      await moved('a policy switched off')
      await store.roles.remove(a.id, role.id)
      await moved('a role removed')
      await store.documents.create(a.id, { name: 'Charter', text: 'We garden.', now: 3 })
      assert.deepEqual(await versions(), [last, other], 'a document changes no cached data')
      assert.equal(await store.communities.cacheVersion(b.id + 1000), undefined)
    })

    it('keeps documents per community', async () => {
      const a = await seedCommunity(store, 'a')
      const b = await seedCommunity(store, 'b')
      const doc = await store.documents.create(a.id, {
        name: 'Charter',
        text: 'We garden.',
        now: 10,
      })
      assert.deepEqual(await store.documents.get(a.id, doc.id), {
        id: doc.id,
        communityId: a.id,
        name: 'Charter',
        text: 'We garden.',
        active: true,
        updatedAt: 10,
      })
      const updated = await store.documents.update(a.id, doc.id, {
        text: 'We garden together.',
        now: 20,
      })
      assert.equal(updated.name, 'Charter')
      assert.equal(updated.updatedAt, 20)
      await store.documents.setActive(a.id, doc.id, false, 30)
      assert.deepEqual(await store.documents.list(a.id, { activeOnly: true }), [])
      assert.equal((await store.documents.list(a.id)).length, 1)

      assert.equal(await store.documents.get(b.id, doc.id), undefined)
      assert.deepEqual(await store.documents.list(b.id), [])
      await assert.rejects(store.documents.update(b.id, doc.id, { text: 'hijack', now: 40 }), (e) =>
        isAppError(e, 'not_found'),
      )
      await assert.rejects(store.documents.setActive(b.id, doc.id, true, 40), (e) => isAppError(e, 'not_found'))
      assert.equal((await store.documents.get(a.id, doc.id))?.text, 'We garden together.')
    })

    it('names the table and row of a corrupted settings column', async () => {
      const c = await seedCommunity(store, 'corrupt')
      await store.db.updateTable('communities').set({ settings: '{oops' }).where('id', '=', c.id).execute()
      await assert.rejects(
        store.communities.get(c.id),
        new RegExp(`communities ${c.id}, column settings is not valid JSON`),
      )
    })
  })
}
