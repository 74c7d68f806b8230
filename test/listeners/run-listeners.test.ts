import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { silentLogger } from '../../src/engine/logger.ts'
import { startListeners, type ListenerHost } from '../../src/listeners/run-listeners.ts'
import { definePlatform, type ListenerDef } from '../../src/platforms/platform.ts'
import type { ListenerLeaseRepo, Store } from '../../src/store/store.ts'
import { openTestStore, testDialects } from '../support/test-store.ts'
import { until } from '../support/until.ts'

const leaseMs = 300

/** A `once` listener that records which process runs it, and how many run at the same time. */
function watched() {
  const state = { running: new Set<string>(), most: 0, starts: [] as string[] }
  const listenerFor = (who: string): ListenerDef => ({
    name: 'gateway',
    scope: 'once',
    async run(signal) {
      state.running.add(who)
      state.starts.push(who)
      state.most = Math.max(state.most, state.running.size)
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))
      state.running.delete(who)
    },
  })
  return { state, listenerFor }
}

function host(who: string, listener: ListenerDef, leases: ListenerLeaseRepo, ms = leaseMs): ListenerHost {
  return startListeners({
    platforms: [definePlatform({ name: 'chat', actions: {}, listeners: [listener] })],
    leases,
    holder: who,
    leaseMs: ms,
    now: () => Date.now(),
    logger: silentLogger,
    backoff: { firstMs: 10, maxMs: 40 },
  })
}

for (const dialect of testDialects()) {
  describe(`${dialect}: listener leases`, () => {
    let store: Store
    const t0 = Date.UTC(2026, 0, 1)

    beforeEach(async () => {
      store = await openTestStore(dialect)
    })
    afterEach(async () => {
      await store.close()
    })

    it('lets one holder at a time hold a lease, renew it, and lose it only once it runs out', async () => {
      const leases = store.listenerLeases
      assert.equal(await leases.hold('chat:gateway', 'a', t0, 1000), true)
      assert.equal(await leases.hold('chat:gateway', 'b', t0 + 500, 1000), false, 'a holds it')
      assert.equal(await leases.hold('chat:gateway', 'a', t0 + 900, 1000), true, 'a renews it')
      assert.equal(await leases.hold('chat:gateway', 'b', t0 + 1500, 1000), false, 'renewed until t0 + 1900')
      assert.equal(await leases.holderOf('chat:gateway', t0 + 1500), 'a')
      assert.equal(await leases.hold('chat:gateway', 'b', t0 + 1900, 1000), true, 'a let it run out')
      assert.equal(await leases.hold('chat:gateway', 'a', t0 + 2000, 1000), false)
      await leases.release('chat:gateway', 'a')
      assert.equal(await leases.holderOf('chat:gateway', t0 + 2000), 'b', 'only the holder can release it')
      await leases.release('chat:gateway', 'b')
      assert.equal(await leases.holderOf('chat:gateway', t0 + 2000), null)
      assert.equal(await leases.hold('chat:other', 'a', t0, 1000), true, 'leases are per name')
    })

    it('runs a once listener in one process, and in the other when the first stops', async () => {
      const { state, listenerFor } = watched()
      const a = host('a', listenerFor('a'), store.listenerLeases)
      assert.ok(await until(() => state.running.size === 1), 'a listener started')
      const b = host('b', listenerFor('b'), store.listenerLeases)
      await new Promise((resolve) => setTimeout(resolve, leaseMs))
      assert.deepEqual([...state.running], ['a'], 'b waits while a holds the lease')
      await a.stop()
      assert.ok(await until(() => state.running.has('b')), 'b took over once a released the lease')
      await b.stop()
      assert.equal(state.running.size, 0, 'stop aborts the listener and waits for it')
      assert.equal(state.most, 1, 'never two at once')
      assert.deepEqual(state.starts, ['a', 'b'])
    })

    it('stops a listener whose process cannot renew its lease, and another takes over once it runs out', async () => {
      const { state, listenerFor } = watched()
      let reachable = true
      const flaky: ListenerLeaseRepo = {
        hold: (...args) =>
          reachable ? store.listenerLeases.hold(...args) : Promise.reject(new Error('connection lost')),
        release: (...args) =>
          reachable ? store.listenerLeases.release(...args) : Promise.reject(new Error('connection lost')),
        holderOf: (...args) => store.listenerLeases.holderOf(...args),
      }
      // A longer lease: a stops a third of it before it runs out, a margin for a slow machine's timers.
      const a = host('a', listenerFor('a'), flaky, 900)
      assert.ok(await until(() => state.running.has('a')))
      const b = host('b', listenerFor('b'), store.listenerLeases, 900)
      reachable = false
      assert.ok(await until(() => state.running.has('b')), 'b took over when a could no longer renew')
      assert.equal(state.most, 1, 'a stopped before its lease ran out, so the two never overlapped')
      await a.stop()
      await b.stop()
    })

    it('starts a failing each listener again after a backoff, in every process', async () => {
      let runs = 0
      const failing: ListenerDef = {
        name: 'poller',
        scope: 'each',
        run() {
          runs += 1
          return Promise.reject(new Error('the platform is down'))
        },
      }
      const a = host('a', failing, store.listenerLeases)
      assert.ok(await until(() => runs >= 3), 'started again after failing')
      await a.stop()
      const after = runs
      await new Promise((resolve) => setTimeout(resolve, 100))
      assert.equal(runs, after, 'not started again once stopped')
      assert.equal(await store.listenerLeases.holderOf('chat:poller', Date.now()), null, 'each listeners take no lease')
    })
  })
}
