import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { AppError } from '../../src/errors.ts'
import {
  createEmbeddedQueue,
  type EmbeddedQueue,
  type EmbeddedQueueOptions,
} from '../../src/scheduler/embedded-queue.ts'
import type { QueuedJob } from '../../src/scheduler/job-queue.ts'
import type { Store } from '../../src/store/store.ts'
import { fakeClock, type FakeClock } from '../support/fake-clock.ts'
import { openTestStore, testDialects } from '../support/test-store.ts'

/** A handler from a plain function (a throw becomes a rejection), for handlers that never wait. */
function later<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => Promise<void> {
  return (...args) => Promise.resolve().then(() => fn(...args))
}

for (const dialect of testDialects()) {
  describe(`${dialect}: embedded queue`, () => {
    let store: Store
    let clock: FakeClock
    let queues: EmbeddedQueue[]
    let errors: string[]
    let warnings: string[]
    let t0: number

    /** A queue on the shared store; the clock waits for it between timers unless told not to. */
    function queue(options: Partial<EmbeddedQueueOptions> & { settleOnClock?: boolean } = {}): EmbeddedQueue {
      const { settleOnClock = true, ...rest } = options
      const q = createEmbeddedQueue({
        jobs: store.jobs,
        clock,
        workerId: `worker-${queues.length}`,
        leaseMs: 60_000,
        backoff: { baseMs: 1000, maxMs: 8000 },
        // No jitter: retry times are exact.
        random: () => 0,
        logger: {
          warn: (_, message) => warnings.push(message),
          error: (_, message) => errors.push(message),
        },
        ...rest,
      })
      if (settleOnClock) {
        clock.waitFor(() => q.idle())
      }
      queues.push(q)
      return q
    }

    beforeEach(async () => {
      store = await openTestStore(dialect)
      clock = fakeClock()
      t0 = clock.now()
      queues = []
      errors = []
      warnings = []
    })
    afterEach(async () => {
      for (const q of queues) {
        await q.stop()
      }
      await store.close()
    })

    it('runs a job sent to a started queue without the clock moving', async () => {
      const community = await store.communities.create({ name: 'C', now: t0 })
      const q = queue()
      const seen: QueuedJob[] = []
      q.work(
        'greet',
        later((job) => {
          seen.push(job)
        }),
      )
      await q.start()
      await q.idle()
      const id = await q.send('greet', { hello: 'world' }, { communityId: community.id })
      await q.idle()
      assert.deepEqual(seen, [{ id, name: 'greet', data: { hello: 'world' }, attempt: 1 }])
      assert.equal(clock.now(), t0)
      assert.deepEqual(await store.jobs.list(), [])
    })

    it('runs a delayed job only once the clock passes startAfter', async () => {
      const q = queue()
      let runs = 0
      q.work(
        'later',
        later(() => {
          runs++
        }),
      )
      await q.start()
      await q.send('later', {}, { startAfter: t0 + 5000 })
      await q.idle()
      await clock.advance(4999)
      assert.equal(runs, 0)
      await clock.advance(1)
      assert.equal(runs, 1)
    })

    it('retries platform_unavailable with capped exponential backoff, then fails with the error', async () => {
      const q = queue()
      const attempts: number[] = []
      q.work(
        'flaky',
        later(({ attempt }) => {
          attempts.push(attempt)
          throw new AppError('platform_unavailable', `slack is down (${attempt})`)
        }),
      )
      await q.start()
      await q.send('flaky', {}, { retryLimit: 5 })
      await q.idle()

      // Delays 1 s, 2 s, 4 s, then capped at 8 s.
      const expected = [1000, 2000, 4000, 8000, 8000]
      for (const [i, delay] of expected.entries()) {
        const [row] = await store.jobs.list()
        assert.equal(row?.state, 'queued')
        assert.equal(row.runAt, clock.now() + delay)
        assert.equal(row.lastError, `platform_unavailable: slack is down (${i + 1})`)
        await clock.advance(delay - 1)
        assert.equal(attempts.length, i + 1)
        await clock.advance(1)
        assert.equal(attempts.length, i + 2)
      }
      const [row] = await store.jobs.list()
      assert.equal(row?.state, 'failed')
      assert.equal(row.attempts, 6)
      assert.equal(row.lastError, 'platform_unavailable: slack is down (6)')
      assert.deepEqual(attempts, [1, 2, 3, 4, 5, 6])
      assert.equal(warnings.length, 5)
      assert.equal(errors.length, 1)
      await clock.advance(60_000)
      assert.equal(attempts.length, 6)
    })

    it('completes a job that succeeds on a retry', async () => {
      const q = queue()
      const attempts: number[] = []
      q.work(
        'once-down',
        later(({ attempt }) => {
          attempts.push(attempt)
          if (attempt === 1) {
            throw new AppError('platform_unavailable', 'down')
          }
        }),
      )
      await q.start()
      await q.send('once-down', {})
      await clock.advance(1000)
      assert.deepEqual(attempts, [1, 2])
      assert.deepEqual(await store.jobs.list(), [])
    })

    it('fails at once on any other error and logs it', async () => {
      const q = queue()
      let runs = 0
      q.work(
        'buggy',
        later(() => {
          runs++
          throw new TypeError('cannot read properties of undefined')
        }),
      )
      await q.start()
      await q.send('buggy', {})
      await q.idle()
      await clock.advance(60_000)
      assert.equal(runs, 1)
      const [row] = await store.jobs.list()
      assert.equal(row?.state, 'failed')
      assert.match(row.lastError ?? '', /^TypeError: cannot read properties of undefined/)
      assert.deepEqual(errors, ['job buggy failed'])
    })

    it('leaves jobs it has no handler for queued', async () => {
      const q = queue()
      q.work('known', async () => {})
      await q.start()
      await q.send('unknown', {})
      await clock.advance(10_000)
      const [row] = await store.jobs.list()
      assert.equal(row?.state, 'queued')
      assert.equal(row.attempts, 0)
    })

    it('runs at most `concurrency` handlers at once', async () => {
      const q = queue({ concurrency: 2, settleOnClock: false })
      const gate = Promise.withResolvers<void>()
      const started = [Promise.withResolvers<void>(), Promise.withResolvers<void>(), Promise.withResolvers<void>()]
      let count = 0
      q.work('slow', async () => {
        started[count++]?.resolve()
        await gate.promise
      })
      await q.start()
      for (let i = 0; i < 3; i++) {
        await q.send('slow', {})
      }
      await Promise.all([started[0]?.promise, started[1]?.promise])
      // Both slots are taken, so no further claim can happen until one frees up.
      assert.equal((await store.jobs.list({ state: 'running' })).length, 2)
      assert.equal((await store.jobs.list({ state: 'queued' })).length, 1)
      gate.resolve()
      await started[2]?.promise
      await q.idle()
      assert.equal(count, 3)
      assert.deepEqual(await store.jobs.list(), [])
    })

    it('stop() stops claiming and waits for running handlers', async () => {
      const q = queue({ settleOnClock: false })
      const gate = Promise.withResolvers<void>()
      const started = Promise.withResolvers<void>()
      let finished = 0
      q.work('slow', async () => {
        started.resolve()
        await gate.promise
        finished++
      })
      await q.start()
      await q.send('slow', {})
      await started.promise
      let stopped = false
      const stopping = q.stop().then(() => {
        stopped = true
      })
      await q.send('slow', {})
      await clock.settle()
      assert.equal(stopped, false)
      gate.resolve()
      await stopping
      assert.equal(finished, 1)
      assert.deepEqual(
        (await store.jobs.list()).map((j) => j.state),
        ['queued'],
      )
    })

    it('picks up queued jobs after a restart', async () => {
      const first = queue()
      first.work('later', async () => {})
      await first.start()
      await first.send('later', { n: 1 }, { startAfter: t0 + 5000 })
      await first.stop()

      const second = queue()
      const seen: unknown[] = []
      second.work(
        'later',
        later(({ data }) => {
          seen.push(data)
        }),
      )
      await second.start()
      await clock.advance(5000)
      assert.deepEqual(seen, [{ n: 1 }])
    })

    it('takes over a dead worker’s job once its lease ends', async () => {
      await store.jobs.enqueue({
        communityId: null,
        name: 'orphan',
        payload: {},
        runAt: t0,
        now: t0,
      })
      await store.jobs.claim({
        now: t0,
        workerId: 'dead',
        leaseMs: 10_000,
        limit: 1,
      })
      const q = queue()
      const attempts: number[] = []
      q.work(
        'orphan',
        later(({ attempt }) => {
          attempts.push(attempt)
        }),
      )
      await q.start()
      await clock.advance(10_000)
      assert.deepEqual(attempts, [])
      await clock.advance(1000)
      assert.deepEqual(attempts, [2])
    })

    it('polls for jobs other processes enqueued', async () => {
      const q = queue()
      let runs = 0
      q.work(
        'elsewhere',
        later(() => {
          runs++
        }),
      )
      await q.start()
      await q.idle()
      await store.jobs.enqueue({
        communityId: null,
        name: 'elsewhere',
        payload: {},
        runAt: t0,
        now: t0,
      })
      await clock.advance(999)
      assert.equal(runs, 0)
      await clock.advance(1)
      assert.equal(runs, 1)
    })

    it('never runs one job in two queues', async () => {
      const runs: number[] = []
      for (let i = 0; i < 3; i++) {
        const q = queue({ concurrency: 3 })
        q.work(
          'shared',
          later(({ data }) => {
            runs.push(Number(data['n']))
          }),
        )
        await q.start()
      }
      for (let n = 0; n < 20; n++) {
        await store.jobs.enqueue({
          communityId: null,
          name: 'shared',
          payload: { n },
          runAt: t0,
          now: t0,
        })
      }
      await clock.advance(1000)
      assert.deepEqual(
        runs.sort((a, b) => a - b),
        Array.from({ length: 20 }, (_, n) => n),
      )
    })
  })
}
