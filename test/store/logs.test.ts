import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { LogInput, Store } from '../../src/store/store.ts'
import { openTestStore, testDialects } from '../support/test-store.ts'
import { seedProposal } from './seed.ts'

for (const dialect of testDialects()) {
  describe(`${dialect}: evaluation logs`, () => {
    let store: Store
    before(async () => {
      store = await openTestStore(dialect)
    })
    after(() => store.close())

    it('adds many entries at once and lists them newest first, filtered and paged', async () => {
      const { community, policy, proposal } = await seedProposal(store)
      await store.logs.add(community.id, [])
      await store.logs.add(community.id, [
        {
          proposalId: proposal.id,
          actionId: proposal.actionId,
          policyId: policy.id,
          level: 'info',
          message: 'check: proposed',
          now: 1,
        },
        {
          proposalId: proposal.id,
          policyId: policy.id,
          level: 'error',
          message: 'runtime error in check, line 3',
          details: { block: 'check', line: 3 },
          now: 2,
        },
        {
          actionId: proposal.actionId,
          level: 'warn',
          message: 'reverted',
          now: 3,
        },
      ])
      const all = await store.logs.list(community.id)
      assert.deepEqual(
        all.map((l) => l.message),
        ['reverted', 'runtime error in check, line 3', 'check: proposed'],
      )
      const [reverted, error] = all
      assert.deepEqual(error, {
        id: error?.id,
        communityId: community.id,
        proposalId: proposal.id,
        actionId: null,
        policyId: policy.id,
        level: 'error',
        message: 'runtime error in check, line 3',
        details: { block: 'check', line: 3 },
        platform: null,
        createdAt: 2,
      })
      assert.equal(reverted?.details, null)
      assert.equal((await store.logs.list(community.id, { proposalId: proposal.id })).length, 2)
      assert.equal((await store.logs.list(community.id, { actionId: proposal.actionId })).length, 2)
      assert.deepEqual(
        (
          await store.logs.list(community.id, {
            beforeId: reverted?.id,
            limit: 1,
          })
        ).map((l) => l.message),
        ['runtime error in check, line 3'],
      )
    })

    it("filters by level (that severe or more) and by platform: the action's, or the one the details name", async () => {
      const { community, proposal } = await seedProposal(store)
      await store.logs.add(community.id, [
        { actionId: proposal.actionId, level: 'debug', message: 'evaluated', now: 1 },
        { actionId: proposal.actionId, level: 'warn', message: 'reverted', now: 2 },
        { level: 'error', message: 'uninstalled', details: { platform: 'slack', teamId: 'T1' }, now: 3 },
        { level: 'info', message: 'nothing in particular', now: 4 },
      ])
      const messages = async (options: Parameters<Store['logs']['list']>[1]) =>
        (await store.logs.list(community.id, options)).map((l) => l.message)
      assert.deepEqual(await messages({ platform: 'test' }), ['reverted', 'evaluated'])
      assert.deepEqual(await messages({ platform: 'slack' }), ['uninstalled'])
      assert.deepEqual(await messages({ level: 'warn' }), ['uninstalled', 'reverted'])
      assert.deepEqual(await messages({ level: 'info' }), ['nothing in particular', 'uninstalled', 'reverted'])
      assert.deepEqual(await messages({ level: 'warn', platform: 'test' }), ['reverted'])
      assert.deepEqual(
        (await store.logs.list(community.id)).map((l) => l.platform),
        [null, 'slack', 'test', 'test'],
      )
    })

    it('writes a batch larger than one statement holds', async () => {
      const { community } = await seedProposal(store)
      const entries: LogInput[] = Array.from({ length: 1200 }, (_, i) => ({
        level: 'debug',
        message: `m${i}`,
        now: i,
      }))
      await store.logs.add(community.id, entries)
      assert.equal((await store.logs.list(community.id, { limit: 5000 })).length, 1200)
    })

    it('keeps another community out', async () => {
      const a = await seedProposal(store, 'a')
      const b = await seedProposal(store, 'b')
      await store.logs.add(a.community.id, [{ proposalId: a.proposal.id, level: 'info', message: 'secret', now: 1 }])
      assert.deepEqual(await store.logs.list(b.community.id), [])
      assert.deepEqual(await store.logs.list(b.community.id, { proposalId: a.proposal.id }), [])
    })
  })
}
