import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { emptyBlocks, type PolicyVariable } from '../../src/domain/policy.ts'
import { isAppError } from '../../src/errors.ts'
import type { Store } from '../../src/store/store.ts'
import { openTestStore, testDialects } from '../support/test-store.ts'
import { policyInput, seedCommunity } from './seed.ts'

const quorum: PolicyVariable = {
  name: 'quorum',
  label: 'Quorum',
  type: 'number',
  isList: false,
  default: 3,
  value: 5,
}

for (const dialect of testDialects()) {
  describe(`${dialect}: policies`, () => {
    let store: Store
    before(async () => {
      store = await openTestStore(dialect)
    })
    after(() => store.close())

    it('creates a policy with its version 1 and reads it back whole', async () => {
      const c = await seedCommunity(store)
      const input = policyInput({
        actionTypes: ['slack.post'],
        priority: 2,
        variables: [quorum],
      })
      const policy = await store.policies.create(c.id, input, 100)
      assert.deepEqual(policy, {
        id: policy.id,
        communityId: c.id,
        ...input,
        active: true,
        versionId: policy.versionId,
        version: 1,
        updatedAt: 100,
      })
      assert.deepEqual(await store.policies.get(c.id, policy.id), policy)
      assert.deepEqual(await store.policies.list(c.id), [policy])
      assert.deepEqual(await store.policies.getVersion(c.id, policy.versionId), {
        versionId: policy.versionId,
        policyId: policy.id,
        communityId: c.id,
        ...input,
        version: 1,
        createdAt: 100,
      })
    })

    it('writes a new version on update and keeps the old one for proposals pinned to it', async () => {
      const c = await seedCommunity(store)
      const v1 = await store.policies.create(c.id, policyInput({ variables: [quorum] }), 100)
      const { action } = await store.actions.create(c.id, {
        kind: 'platform',
        type: 'test.post',
        origin: 'policykit',
        initiatorId: null,
        params: {},
        now: 100,
      })
      const pinned = await store.proposals.create(c.id, {
        actionId: action.id,
        policyId: v1.id,
        policyVersionId: v1.versionId,
        now: 100,
      })

      const blocks = { ...emptyBlocks(), check: 'return FAILED' }
      const v2 = await store.policies.update(c.id, v1.id, { blocks, priority: 4 }, 200)
      assert.equal(v2.version, 2)
      assert.notEqual(v2.versionId, v1.versionId)
      assert.deepEqual(v2, {
        ...v1,
        blocks,
        priority: 4,
        versionId: v2.versionId,
        version: 2,
        updatedAt: 200,
      })
      assert.deepEqual(await store.policies.get(c.id, v1.id), v2)

      const old = await store.policies.getVersion(c.id, pinned.policyVersionId)
      assert.equal(old?.version, 1)
      assert.equal(old?.blocks.check, 'return PASSED')
      assert.equal(old?.priority, 0)
      assert.deepEqual(
        (await store.policies.versions(c.id, v1.id)).map((v) => [v.version, v.blocks.check]),
        [
          [1, 'return PASSED'],
          [2, 'return FAILED'],
        ],
      )
      // A new proposal may still pin the old version.
      const late = await store.proposals.create(c.id, {
        actionId: action.id,
        policyId: v1.id,
        policyVersionId: v1.versionId,
        now: 300,
      })
      assert.equal(late.policyVersionId, v1.versionId)
    })

    it('numbers versions without gaps when updates race', async () => {
      const c = await seedCommunity(store)
      const policy = await store.policies.create(c.id, policyInput(), 100)
      await Promise.all(
        Array.from({ length: 5 }, (_, i) => store.policies.update(c.id, policy.id, { priority: i }, 200 + i)),
      )
      const versions = await store.policies.versions(c.id, policy.id)
      assert.deepEqual(
        versions.map((v) => v.version),
        [1, 2, 3, 4, 5, 6],
      )
      assert.equal((await store.policies.get(c.id, policy.id))?.version, 6)
    })

    it('activates and deactivates without a new version', async () => {
      const c = await seedCommunity(store)
      const policy = await store.policies.create(c.id, policyInput(), 100)
      const off = await store.policies.setActive(c.id, policy.id, false, 150)
      assert.deepEqual(off, { ...policy, active: false, updatedAt: 150 })
      assert.deepEqual(await store.policies.list(c.id, { activeOnly: true }), [])
      assert.deepEqual(await store.policies.list(c.id, { kind: 'platform' }), [off])
      assert.deepEqual(await store.policies.list(c.id, { kind: 'trigger' }), [])
    })

    it('orders candidates by priority, then most recently changed, then id, with base policies', async () => {
      const c = await seedCommunity(store)
      const make = (
        name: string,
        actionTypes: string[],
        priority: number,
        now: number,
        kind: 'platform' | 'trigger' = 'platform',
      ) => store.policies.create(c.id, policyInput({ name, actionTypes, priority, kind }), now)
      const base = await make('base', [], 0, 100)
      const older = await make('older', ['slack.post'], 5, 100)
      const newer = await make('newer', ['slack.post', 'slack.rename'], 5, 200)
      const sameTimeHigherId = await make('same time', ['slack.post'], 5, 200)
      const top = await make('top', ['slack.post'], 9, 50)
      await make('other type', ['slack.poster'], 10, 300)
      await make('trigger', [], 10, 300, 'trigger')
      const inactive = await make('inactive', ['slack.post'], 10, 300)
      await store.policies.setActive(c.id, inactive.id, false, 400)

      const names = (await store.policies.candidates(c.id, 'platform', 'slack.post')).map((p) => p.name)
      assert.deepEqual(names, [top.name, sameTimeHigherId.name, newer.name, older.name, base.name])

      // Changing a policy moves it ahead of its equals.
      await store.policies.update(c.id, older.id, { description: 'edited' }, 500)
      const after = (await store.policies.candidates(c.id, 'platform', 'slack.post')).map((p) => p.name)
      assert.deepEqual(after, [top.name, older.name, sameTimeHigherId.name, newer.name, base.name])

      assert.deepEqual(
        (await store.policies.candidates(c.id, 'platform', 'discord.ban')).map((p) => p.name),
        [base.name],
      )
      assert.deepEqual(
        (await store.policies.candidates(c.id, 'constitution', 'slack.post')).map((p) => p.name),
        [],
      )
    })

    it('keeps another community out', async () => {
      const a = await seedCommunity(store)
      const b = await seedCommunity(store)
      const policy = await store.policies.create(a.id, policyInput(), 100)
      assert.equal(await store.policies.get(b.id, policy.id), undefined)
      assert.equal(await store.policies.getVersion(b.id, policy.versionId), undefined)
      assert.deepEqual(await store.policies.versions(b.id, policy.id), [])
      assert.deepEqual(await store.policies.list(b.id), [])
      assert.deepEqual(await store.policies.candidates(b.id, 'platform', 'test.post'), [])
      await assert.rejects(store.policies.update(b.id, policy.id, { priority: 9 }, 200), (e) =>
        isAppError(e, 'not_found'),
      )
      await assert.rejects(store.policies.setActive(b.id, policy.id, false, 200), (e) => isAppError(e, 'not_found'))
      assert.deepEqual(await store.policies.get(a.id, policy.id), policy)
    })

    it('names the row of corrupted blocks or variables', async () => {
      const c = await seedCommunity(store)
      const policy = await store.policies.create(c.id, policyInput(), 100)
      await store.db
        .updateTable('policy_versions')
        .set({ blocks: JSON.stringify({ check: 'return PASSED' }) })
        .where('id', '=', policy.versionId)
        .execute()
      await assert.rejects(store.policies.get(c.id, policy.id), new RegExp(`policies ${policy.id}, column blocks`))
      await assert.rejects(
        store.policies.getVersion(c.id, policy.versionId),
        new RegExp(`policy_versions ${policy.versionId}, column blocks`),
      )
      await store.db
        .updateTable('policy_versions')
        .set({ variables: 'nope' })
        .where('id', '=', policy.versionId)
        .execute()
      await assert.rejects(store.policies.list(c.id), /column variables is not valid JSON/)
    })
  })
}
