import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import Fastify from 'fastify'
import { createEngineLatencies } from '../../src/engine/latencies.ts'
import type { JobStat } from '../../src/scheduler/job-queue.ts'
import { createMetrics } from '../../src/server/metrics.ts'
import { openTestStore } from '../support/test-store.ts'

describe('/metrics: the job queue', () => {
  it('counts jobs by name and state, and says how long the oldest due one of each name has waited', async () => {
    const store = await openTestStore('sqlite')
    const app = Fastify()
    const now = 1_000_000
    let reads = 0
    const stats: JobStat[] = [
      { name: 'engine.recheck', state: 'queued', count: 3, oldestDueAt: now - 12_500 },
      { name: 'engine.recheck', state: 'running', count: 1, oldestDueAt: now - 1000 },
      { name: 'action.perform', state: 'queued', count: 2, oldestDueAt: now + 60_000 }, // not due yet
      { name: 'action.perform', state: 'failed', count: 4, oldestDueAt: null },
    ]
    const registry = createMetrics(
      app,
      store,
      createEngineLatencies(),
      () => {
        reads += 1
        return Promise.resolve(stats)
      },
      () => now,
    )
    try {
      const text = await registry.metrics()
      const lines = text.split('\n').filter((line) => line.startsWith('policykit_job'))
      assert.deepEqual(lines.sort(), [
        'policykit_job_oldest_due_seconds{name="action.perform"} 0',
        'policykit_job_oldest_due_seconds{name="engine.recheck"} 12.5',
        'policykit_jobs{name="action.perform",state="failed"} 4',
        'policykit_jobs{name="action.perform",state="queued"} 2',
        'policykit_jobs{name="engine.recheck",state="queued"} 3',
        'policykit_jobs{name="engine.recheck",state="running"} 1',
      ])
      assert.equal(reads, 1) // one read of the queue per scrape, for both gauges

      // A job that is gone is gone from the next scrape, not left at its last count.
      stats.splice(0, 2)
      const after = (await registry.metrics()).split('\n').filter((line) => line.startsWith('policykit_job'))
      assert.equal(
        after.some((line) => line.includes('engine.recheck')),
        false,
      )
      assert.equal(reads, 2)
    } finally {
      await app.close()
      await store.close()
    }
  })
})
