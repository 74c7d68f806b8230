import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { ExecutionState } from '../../src/domain/action.ts'
import type { ActionInput, Store } from '../../src/store/store.ts'
import { openTestStore, testDialects } from '../support/test-store.ts'
import { seedCommunity } from './seed.ts'

function slackPost(externalId: string | null, now = 10): ActionInput {
  return {
    kind: 'platform',
    type: 'slack.postMessage',
    origin: 'platform',
    initiatorId: null,
    params: { text: 'hi' },
    externalId,
    now,
  }
}

for (const dialect of testDialects()) {
  describe(`${dialect}: actions`, () => {
    let store: Store
    before(async () => {
      store = await openTestStore(dialect)
    })
    after(() => store.close())

    it('round-trips an action and derives its platform from the type', async () => {
      const c = await seedCommunity(store)
      const member = await store.members.create(c.id, {
        username: 'ada',
        now: 1,
      })
      const { action, created } = await store.actions.create(c.id, {
        kind: 'constitution',
        type: 'constitution.addPolicy',
        origin: 'policykit',
        initiatorId: member.id,
        params: { name: 'p', nested: { list: [1, 'two', null] } },
        now: 42,
      })
      assert.equal(created, true)
      assert.deepEqual(action, {
        id: action.id,
        communityId: c.id,
        kind: 'constitution',
        type: 'constitution.addPolicy',
        platform: 'constitution',
        origin: 'policykit',
        initiatorId: member.id,
        params: { name: 'p', nested: { list: [1, 'two', null] } },
        result: null,
        executionState: 'none',
        externalId: null,
        createdAt: 42,
      })
      assert.deepEqual(await store.actions.get(c.id, action.id), action)
    })

    it('returns the first action for a repeated external id, also when deliveries race', async () => {
      const c = await seedCommunity(store)
      const first = await store.actions.create(c.id, slackPost('evt-1'))
      const again = await store.actions.create(c.id, slackPost('evt-1', 99))
      assert.equal(first.created, true)
      assert.equal(again.created, false)
      assert.deepEqual(again.action, first.action)

      const racing = await Promise.all(Array.from({ length: 10 }, () => store.actions.create(c.id, slackPost('evt-2'))))
      assert.equal(racing.filter((r) => r.created).length, 1)
      assert.equal(new Set(racing.map((r) => r.action.id)).size, 1)

      // Without an external id every create is a new action; another community may reuse the id.
      const x = await store.actions.create(c.id, slackPost(null))
      const y = await store.actions.create(c.id, slackPost(null))
      assert.notEqual(x.action.id, y.action.id)
      const other = await seedCommunity(store)
      assert.equal((await store.actions.create(other.id, slackPost('evt-1'))).created, true)
    })

    it('transitions execution state exactly once under concurrent calls', async () => {
      const c = await seedCommunity(store)
      const { action } = await store.actions.create(c.id, slackPost(null))
      const results = await Promise.all(
        Array.from({ length: 10 }, () =>
          store.actions.claimExecution(c.id, action.id, ['none', 'reverted'], 'executing', 20),
        ),
      )
      assert.equal(results.filter(Boolean).length, 1)
      assert.equal(
        await store.actions.transitionExecution(c.id, action.id, ['executing'], 'executed', { ts: '1.2' }),
        true,
      )
      assert.equal(await store.actions.transitionExecution(c.id, action.id, ['executing'], 'failed'), false)
      assert.equal(await store.actions.transitionExecution(c.id, action.id, [], 'failed'), false)
      const done = await store.actions.get(c.id, action.id)
      assert.equal(done?.executionState, 'executed')
      assert.deepEqual(done?.result, { ts: '1.2' })
      // Leaving out `result` keeps it; null clears it.
      assert.equal(await store.actions.claimExecution(c.id, action.id, ['executed'], 'reverting', 30), true)
      assert.deepEqual((await store.actions.get(c.id, action.id))?.result, {
        ts: '1.2',
      })
      assert.equal(await store.actions.transitionExecution(c.id, action.id, ['reverting'], 'reverted', null), true)
      assert.equal((await store.actions.get(c.id, action.id))?.result, null)
    })

    it('claims an action for one holder at a time, counting the tries of one key', async () => {
      const c = await seedCommunity(store)
      const { action } = await store.actions.create(c.id, slackPost(null))
      const claim = (owner: string, key: string, from: ExecutionState[] = ['none']) =>
        store.actions.claim(c.id, action.id, { from, to: 'executing', now: 20, owner, key })
      const first = await Promise.all([claim('a', 'k1'), claim('b', 'k1'), claim('c', 'k1')])
      assert.deepEqual(
        first.filter((claimed) => claimed !== undefined),
        [{ tries: 1 }],
        'one of three concurrent claims',
      )
      assert.equal(await claim('a', 'k1'), undefined, 'not in a state it may be claimed from')
      // Let go without being carried out (the holder died): the same key again is a retry.
      assert.equal(await store.actions.transitionExecution(c.id, action.id, ['executing'], 'none'), true)
      assert.deepEqual(await claim('b', 'k1'), { tries: 2 })
      assert.equal(await store.actions.transitionExecution(c.id, action.id, ['executing'], 'none'), true)
      assert.deepEqual(await claim('b', 'k2', ['executed', 'none']), { tries: 1 }, 'another key starts afresh')
      const other = await seedCommunity(store)
      assert.equal(await store.actions.transitionExecution(c.id, action.id, ['executing'], 'none'), true)
      assert.equal(
        await store.actions.claim(other.id, action.id, {
          from: ['none'],
          to: 'executing',
          now: 20,
          owner: 'x',
          key: 'k',
        }),
        undefined,
        "another community's action",
      )
      assert.equal(await claim('a', 'k3', []), undefined)
    })

    it('finds claims older than a time, and releases only those', async () => {
      const c = await seedCommunity(store)
      const other = await seedCommunity(store)
      const old = (await store.actions.create(c.id, slackPost(null))).action
      const fresh = (await store.actions.create(c.id, slackPost(null))).action
      const elsewhere = (await store.actions.create(other.id, slackPost(null))).action
      const settled = (await store.actions.create(c.id, slackPost(null))).action
      assert.equal(await store.actions.claimExecution(c.id, old.id, ['none'], 'reverting', 1_000), true)
      assert.equal(await store.actions.claimExecution(c.id, fresh.id, ['none'], 'executing', 9_000), true)
      assert.equal(await store.actions.claimExecution(other.id, elsewhere.id, ['none'], 'executing', 2_000), true)
      assert.equal(await store.actions.claimExecution(c.id, settled.id, ['none'], 'executing', 500), true)
      assert.equal(await store.actions.transitionExecution(c.id, settled.id, ['executing'], 'executed'), true)

      const ours = new Set([old.id, fresh.id, elsewhere.id, settled.id])
      const overdue = (await store.actions.overdueClaims(5_000, 100)).filter((a) => ours.has(a.id))
      assert.deepEqual(overdue, [
        { id: old.id, communityId: c.id, executionState: 'reverting' },
        { id: elsewhere.id, communityId: other.id, executionState: 'executing' },
      ])
      // Another community's id, the wrong claim, or a claim not old enough is left alone.
      assert.equal(await store.actions.releaseOverdueClaim(other.id, old.id, 'reverting', 'none', 5_000), false)
      assert.equal(await store.actions.releaseOverdueClaim(c.id, old.id, 'executing', 'none', 5_000), false)
      assert.equal(await store.actions.releaseOverdueClaim(c.id, fresh.id, 'executing', 'none', 5_000), false)
      assert.equal(await store.actions.releaseOverdueClaim(c.id, old.id, 'reverting', 'none', 5_000), true)
      assert.equal(await store.actions.releaseOverdueClaim(c.id, old.id, 'reverting', 'none', 5_000), false)
      assert.equal((await store.actions.get(c.id, old.id))?.executionState, 'none')
      assert.equal((await store.actions.get(c.id, fresh.id))?.executionState, 'executing')
      const left = (await store.actions.overdueClaims(5_000, 100)).filter((a) => ours.has(a.id))
      assert.deepEqual(
        left.map((a) => a.id),
        [elsewhere.id],
      )
    })

    it('lists newest first, paged by id', async () => {
      const c = await seedCommunity(store)
      const ids: number[] = []
      for (let i = 0; i < 5; i++) {
        ids.push((await store.actions.create(c.id, slackPost(null))).action.id)
      }
      const newestFirst = [...ids].reverse()
      assert.deepEqual(
        (await store.actions.list(c.id)).map((a) => a.id),
        newestFirst,
      )
      assert.deepEqual(
        (await store.actions.list(c.id, { limit: 2 })).map((a) => a.id),
        newestFirst.slice(0, 2),
      )
      assert.deepEqual(
        (await store.actions.list(c.id, { beforeId: newestFirst[1], limit: 2 })).map((a) => a.id),
        newestFirst.slice(2, 4),
      )
    })

    it('keeps another community out', async () => {
      const a = await seedCommunity(store)
      const b = await seedCommunity(store)
      const { action } = await store.actions.create(a.id, slackPost('evt-9'))
      assert.equal(await store.actions.get(b.id, action.id), undefined)
      assert.deepEqual(await store.actions.list(b.id), [])
      assert.equal(await store.actions.claimExecution(b.id, action.id, ['none'], 'executing', 20), false)
      assert.equal((await store.actions.get(a.id, action.id))?.executionState, 'none')
    })

    it('names the row of corrupted params', async () => {
      const c = await seedCommunity(store)
      const { action } = await store.actions.create(c.id, slackPost(null))
      await store.db.updateTable('actions').set({ params: '[1]' }).where('id', '=', action.id).execute()
      await assert.rejects(
        store.actions.get(c.id, action.id),
        new RegExp(`actions ${action.id}, column params is not a JSON object`),
      )
    })
  })
}
