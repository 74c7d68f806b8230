import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { sql } from 'kysely'
import type { Registry } from 'prom-client'
import { toError } from '../../errors.ts'
import type { ServerDeps } from '../server-deps.ts'
import { healthJson } from './account-schemas.ts'

/** For load balancers and Prometheus: `/healthz` and `/metrics`, outside `/api`. */
export async function healthRoutes(app: FastifyInstance, deps: ServerDeps, metrics: Registry): Promise<void> {
  const routes = app.withTypeProvider<ZodTypeProvider>()

  routes.get(
    '/healthz',
    {
      schema: {
        summary: 'Whether the server and its database answer (503 when the database does not)',
        tags: ['operations'],
        response: { 200: healthJson, 503: healthJson },
      },
    },
    async (_request, reply) => {
      try {
        await sql`select 1`.execute(deps.store.db)
        return { status: 'ok' as const, database: 'ok' as const }
      } catch (e) {
        deps.logger.error({ err: toError(e) }, 'health check: the database does not answer')
        return reply.status(503).send({ status: 'unavailable', database: 'unavailable' })
      }
    },
  )

  routes.get(
    '/metrics',
    {
      schema: {
        summary: 'Prometheus metrics: process, HTTP request durations, proposals by status',
        tags: ['operations'],
      },
    },
    async (_request, reply) => {
      const text = await metrics.metrics()
      return reply.type(metrics.contentType).send(text)
    },
  )
}
