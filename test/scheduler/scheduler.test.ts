import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { AppError } from '../../src/errors.ts'
import { createEmbeddedQueue, type EmbeddedQueue } from '../../src/scheduler/embedded-queue.ts'
import type { JobQueue } from '../../src/scheduler/job-queue.ts'
import { createScheduler, type Scheduler, type SchedulerOptions } from '../../src/scheduler/scheduler.ts'
import type { Store } from '../../src/store/store.ts'
import { fakeClock, type FakeClock } from '../support/fake-clock.ts'
import { openTestStore, testDialects } from '../support/test-store.ts'

/** A handler from a plain function (a throw becomes a rejection), for handlers that never wait. */
function later<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => Promise<void> {
  return (...args) => Promise.resolve().then(() => fn(...args))
}

const interval = 60_000

/** Wraps a queue so a test can wait for the next job of a name to finish, whatever else blocks. */
function observed(queue: JobQueue): {
  queue: JobQueue
  finished: (name: string) => Promise<void>
} {
  const waiting: { name: string; resolve: () => void }[] = []
  return {
    queue: {
      ...queue,
      work: (name, handler) =>
        queue.work(name, async (job) => {
          try {
            await handler(job)
          } finally {
            for (const w of waiting.filter((x) => x.name === name)) {
              waiting.splice(waiting.indexOf(w), 1)
              w.resolve()
            }
          }
        }),
    },
    finished: (name) => new Promise((resolve) => waiting.push({ name, resolve })),
  }
}

for (const dialect of testDialects()) {
  describe(`${dialect}: scheduler`, () => {
    let store: Store
    let clock: FakeClock
    let t0: number
    let communityId: number
    let running: { queue: EmbeddedQueue; scheduler: Scheduler }[]
    let sweeps: number
    let rechecks: { communityId: number; proposalId: number; at: number }[]

    function scheduler(
      options: Partial<Pick<SchedulerOptions, 'onRecheck' | 'onSweep'>> & {
        /** Off when a handler blocks on the test: the clock would wait for it forever. */
        settleOnClock?: boolean
        wrap?: (queue: JobQueue) => JobQueue
      } = {},
    ): { queue: EmbeddedQueue; scheduler: Scheduler } {
      const queue = createEmbeddedQueue({
        jobs: store.jobs,
        clock,
        workerId: `worker-${running.length}`,
        concurrency: 4,
        backoff: { baseMs: 1000, maxMs: 8000 },
        // No jitter: retry times are exact.
        random: () => 0,
        // Few polls: sweep tests move the clock by minutes.
        pollIntervalMs: 30_000,
      })
      if (options.settleOnClock ?? true) {
        clock.waitFor(() => queue.idle())
      }
      const s = createScheduler({
        queue: options.wrap ? options.wrap(queue) : queue,
        clock,
        sweepIntervalMs: interval,
        onRecheck:
          options.onRecheck ??
          later((p) => {
            rechecks.push({ ...p, at: clock.now() })
          }),
        onSweep:
          options.onSweep ??
          later(() => {
            sweeps++
          }),
      })
      const pair = { queue, scheduler: s }
      running.push(pair)
      return pair
    }

    const queuedSweeps = async () => (await store.jobs.list({ name: 'sweep', state: 'queued' })).map((j) => j.runAt)

    beforeEach(async () => {
      store = await openTestStore(dialect)
      clock = fakeClock()
      t0 = clock.now()
      communityId = (await store.communities.create({ name: 'C', now: t0 })).id
      running = []
      sweeps = 0
      rechecks = []
    })
    afterEach(async () => {
      for (const { scheduler: s } of running) {
        await s.stop()
      }
      await store.close()
    })

    it('sweeps at start, then every interval as the clock moves', async () => {
      const { scheduler: s, queue } = scheduler()
      await s.start()
      await queue.idle()
      assert.equal(sweeps, 1)
      assert.deepEqual(await queuedSweeps(), [t0 + interval])
      await clock.advance(interval - 1)
      assert.equal(sweeps, 1)
      await clock.advance(1)
      assert.equal(sweeps, 2)
      await clock.advance(3 * interval)
      assert.equal(sweeps, 5)
      assert.deepEqual(await queuedSweeps(), [t0 + 5 * interval])
    })

    it('keeps one sweep chain across restarts and several processes', async () => {
      const first = scheduler()
      await first.scheduler.start()
      await first.queue.idle()
      await clock.advance(interval / 2)
      await first.scheduler.stop()
      assert.equal(sweeps, 1)
      assert.deepEqual(await queuedSweeps(), [t0 + interval])

      // Restarting, and a second process starting, leave the queued sweep as it is.
      const second = scheduler()
      const third = scheduler()
      await second.scheduler.start()
      await third.scheduler.start()
      await clock.settle()
      assert.equal(sweeps, 1)
      assert.deepEqual(await queuedSweeps(), [t0 + interval])
      await clock.advance(interval / 2)
      assert.equal(sweeps, 2)
      await clock.advance(2 * interval)
      assert.equal(sweeps, 4)
      assert.deepEqual(await queuedSweeps(), [t0 + 4 * interval])
    })

    it('sweeps at once on a restart after downtime longer than the interval', async () => {
      const first = scheduler()
      await first.scheduler.start()
      await first.queue.idle()
      await first.scheduler.stop()
      clock.set(t0 + 10 * interval)
      const second = scheduler()
      await second.scheduler.start()
      await second.queue.idle()
      assert.equal(sweeps, 2)
      assert.deepEqual(await queuedSweeps(), [t0 + 11 * interval])
    })

    it('does not overlap a long sweep with the next one', async () => {
      const gate = Promise.withResolvers<void>()
      const firstSweeping = Promise.withResolvers<void>()
      let active = 0
      let most = 0
      const box: { watch?: ReturnType<typeof observed> } = {}
      const { scheduler: s, queue } = scheduler({
        settleOnClock: false,
        wrap: (q) => (box.watch = observed(q)).queue,
        onSweep: async () => {
          active++
          most = Math.max(most, active)
          sweeps++
          if (sweeps === 1) {
            firstSweeping.resolve()
            await gate.promise
          }
          active--
        },
      })
      const { watch } = box
      assert.ok(watch)
      await s.start()
      await firstSweeping.promise
      // The next sweep falls due while the first still runs: it only keeps the chain going.
      const skipped = watch.finished('sweep')
      await watch.queue.send('sweep', {}, { singletonKey: 'sweep' })
      await skipped
      assert.equal(sweeps, 1)
      assert.deepEqual(await queuedSweeps(), [t0 + interval])

      const first = watch.finished('sweep')
      gate.resolve()
      await first
      await queue.idle()
      clock.waitFor(() => queue.idle())
      await clock.advance(interval)
      assert.equal(sweeps, 2)
      assert.equal(most, 1)
    })

    it('keeps the chain going when a sweep fails, and retries an unavailable platform sooner', async () => {
      let calls = 0
      const { scheduler: s, queue } = scheduler({
        onSweep: later(() => {
          calls++
          if (calls === 1) {
            throw new Error('bug in the sweep')
          }
          if (calls === 2) {
            throw new AppError('platform_unavailable', 'down')
          }
        }),
      })
      await s.start()
      await queue.idle()
      const failed = await store.jobs.list({ name: 'sweep', state: 'failed' })
      assert.equal(failed.length, 1)
      assert.match(failed[0]?.lastError ?? '', /bug in the sweep/)
      assert.deepEqual(await queuedSweeps(), [t0 + interval])

      await clock.advance(interval)
      assert.equal(calls, 2)
      // The retry (due in 1 s) merged into the queued next sweep, which now runs then.
      const [queued] = await store.jobs.list({ name: 'sweep', state: 'queued' })
      assert.equal(queued?.runAt, t0 + interval + 1000)
      assert.equal(queued.lastError, 'platform_unavailable: down')
      await clock.advance(1000)
      assert.equal(calls, 3)
      assert.deepEqual(await queuedSweeps(), [t0 + 2 * interval + 1000])
    })

    it('collapses repeated rechecks of one proposal', async () => {
      const { scheduler: s, queue } = scheduler()
      await s.recheck(communityId, 7)
      await s.recheck(communityId, 7)
      await s.recheck(communityId, 8)
      await s.recheck(communityId, 7)
      assert.deepEqual(
        (await store.jobs.list({ name: 'proposal.recheck' })).map((j) => [j.singletonKey, j.communityId]),
        [
          ['recheck:7', communityId],
          ['recheck:8', communityId],
        ],
      )
      await s.start()
      await queue.idle()
      assert.deepEqual(
        rechecks.map((r) => r.proposalId),
        [7, 8],
      )
    })

    it('re-checks at a given time without an immediate recheck swallowing it', async () => {
      const { scheduler: s, queue } = scheduler()
      await s.start()
      await queue.idle()
      await s.recheck(communityId, 7, t0 + 90_000)
      await s.recheck(communityId, 7, t0 + 90_000)
      await s.recheck(communityId, 7)
      await queue.idle()
      assert.deepEqual(rechecks, [{ communityId, proposalId: 7, at: t0 }])
      await clock.advance(90_000)
      assert.deepEqual(rechecks, [
        { communityId, proposalId: 7, at: t0 },
        { communityId, proposalId: 7, at: t0 + 90_000 },
      ])
    })

    it('runs a recheck at once when one is asked for while it backs off', async () => {
      let attempts = 0
      const { scheduler: s, queue } = scheduler({
        onRecheck: later((p) => {
          attempts++
          if (attempts === 1) {
            throw new AppError('platform_unavailable', 'down')
          }
          rechecks.push({ ...p, at: clock.now() })
        }),
      })
      await s.start()
      await s.recheck(communityId, 7)
      await queue.idle()
      assert.equal((await store.jobs.list({ name: 'proposal.recheck' }))[0]?.runAt, t0 + 1000)
      await s.recheck(communityId, 7)
      await queue.idle()
      assert.deepEqual(rechecks, [{ communityId, proposalId: 7, at: t0 }])
    })
  })
}
