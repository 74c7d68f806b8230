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
        proposalNumber: 1,
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

    it("filters by the proposal's number in its community, not another community's of that number", async () => {
      const here = await seedProposal(store)
      const there = await seedProposal(store)
      const second = async ({ community, policy, proposal }: typeof here) => {
        const made = await store.proposals.create(community.id, {
          actionId: proposal.actionId,
          policyId: policy.id,
          policyVersionId: policy.versionId,
          now: 2,
        })
        await store.logs.add(community.id, [
          { proposalId: made.id, level: 'info', message: `#2 of ${community.id}`, now: 3 },
        ])
        return made
      }
      const made = await second(here)
      await second(there)
      await store.logs.add(here.community.id, [{ proposalId: here.proposal.id, level: 'info', message: '#1', now: 4 }])
      const lines = await store.logs.list(here.community.id, { proposalNumber: 2 })
      assert.deepEqual(
        lines.map((l) => [l.message, l.proposalId, l.proposalNumber]),
        [[`#2 of ${here.community.id}`, made.id, 2]],
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
