import type { FastifyInstance } from 'fastify'
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'
import type { Store } from '../store/store.ts'

/**
 * Prometheus metrics of one server (a registry of its own, so two servers in one process, as
 * in tests, do not share counters): process metrics, request durations by route pattern, and
 * proposals by status, counted when scraped.
 */
export function createMetrics(app: FastifyInstance, store: Store): Registry {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })

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

  app.addHook('onResponse', async (request, reply) => {
    // The pattern, not the URL, so ids do not make a series each; unmatched URLs share one.
    const route = request.routeOptions.url ?? 'unmatched'
    duration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000)
  })

  return registry
}
