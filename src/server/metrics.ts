import type { FastifyInstance } from 'fastify'
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'
import type { EngineLatencies } from '../engine/latencies.ts'
import type { JobStat } from '../scheduler/job-queue.ts'
import type { Store } from '../store/store.ts'

/**
 * Prometheus metrics of one server (a registry of its own, so two servers in one process, as
 * in tests, do not share counters): process metrics, request durations by route pattern,
 * proposals by status, counted when scraped, and the engine's evaluation and vote-to-decision
 * latencies.
 */
export function createMetrics(
  app: FastifyInstance,
  store: Store,
  latencies: EngineLatencies,
  jobStats?: () => Promise<JobStat[]>,
  now: () => number = Date.now,
): Registry {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  for (const histogram of latencies.histograms) {
    registry.registerMetric(histogram)
  }

  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration in seconds, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  })

  new Gauge({
    name: 'policykit_proposals',
    help: 'Proposals in the database, by status',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      const counts = await store.proposals.countByStatus()
      this.reset()
      for (const status of ['proposed', 'passed', 'failed', 'errored', ...Object.keys(counts)]) {
        this.set({ status }, counts[status] ?? 0)
      }
    },
  })

  if (jobStats) {
    // One read per scrape, shared by the two gauges.
    let reading: Promise<JobStat[]> | undefined
    const read = () => {
      reading ??= jobStats().finally(() => {
        reading = undefined
      })
      return reading
    }
    new Gauge({
      name: 'policykit_jobs',
      help: 'Jobs in the queue (pg-boss or the embedded job table), by name and state (queued, running, failed: dead-lettered)',
      labelNames: ['name', 'state'] as const,
      registers: [registry],
      async collect() {
        const stats = await read()
        this.reset()
        for (const s of stats) {
          this.set({ name: s.name, state: s.state }, s.count)
        }
      },
    })
    new Gauge({
      name: 'policykit_job_oldest_due_seconds',
      help: 'How long the oldest queued job of each name has been due (0 when none is due yet)',
      labelNames: ['name'] as const,
      registers: [registry],
      async collect() {
        const stats = await read()
        this.reset()
        const at = now()
        for (const s of stats) {
          if (s.state === 'queued' && s.oldestDueAt !== null) {
            this.set({ name: s.name }, Math.max(0, (at - s.oldestDueAt) / 1000))
          }
        }
      },
    })
  }

  app.addHook('onResponse', async (request, reply) => {
    // The pattern, not the URL, so ids do not make a series each; unmatched URLs share one.
    const route = request.routeOptions.url ?? 'unmatched'
    duration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000)
  })

  return registry
}
