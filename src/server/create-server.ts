import { hkdfSync } from 'node:crypto'
import fastifyCookie from '@fastify/cookie'
import fastifyHelmet from '@fastify/helmet'
import fastifyRateLimit from '@fastify/rate-limit'
import fastifyStatic from '@fastify/static'
import fastifySwagger from '@fastify/swagger'
import Fastify, { type FastifyInstance } from 'fastify'
import { createJsonSchemaTransformObject, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod'
import { AppError } from '../errors.ts'
import { apiSchemas, documentRoute } from './api-schemas.ts'
import { createAuthenticate } from './auth/authenticate.ts'
import { sessionCookie } from './auth/session.ts'
import { createSignInLimits } from './auth/sign-in-limits.ts'
import { createErrorHandler, errorJson, loggedPath } from './errors.ts'
import { createFirstRun } from './first-run.ts'
import { createMetrics } from './metrics.ts'
import { useBoundedJsonParser } from './json-body.ts'
import { noStoreHook } from './no-store.ts'
import { createPlatformHost } from './platform-host.ts'
import { mountWebhooks } from './platform-webhooks.ts'
import { refuseNul } from './refuse-nul.ts'
import { authRoutes } from './routes/auth-routes.ts'
import { communityRoutes } from './routes/community-routes.ts'
import { healthRoutes } from './routes/health-routes.ts'
import { inviteRoutes } from './routes/invite-routes.ts'
import { passwordRoutes } from './routes/password-routes.ts'
import { platformLinkRoutes } from './routes/platform-link-routes.ts'
import { setupRoutes } from './routes/setup-routes.ts'
import { tokenRoutes } from './routes/token-routes.ts'
import type { ServerDeps } from './server-deps.ts'

const bodyLimit = 1024 * 1024

/** Paths the dashboard's fallback never answers: the API, platform routes, operations and built assets. */
const notDashboard = /^\/(?:api(?:\/|$)|platforms(?:\/|$)|healthz$|metrics$|assets\/)/

/** A key of its own for cookie signatures, so the server key itself never signs anything public. */
function cookieSecret(secretKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', secretKey, Buffer.alloc(0), 'policykit session cookie', 32))
}

/**
 * The HTTP server, not yet listening: the JSON API under `/api` (OpenAPI document at
 * `/api/openapi.json`), each platform's routes under `/platforms/<name>`, `/healthz`, `/metrics`, and the dashboard's files with the single-page
 * app's index.html for any other GET.
 */
export async function createServer(deps: ServerDeps): Promise<FastifyInstance> {
  const https = new URL(deps.publicUrl).protocol === 'https:'
  const { trustProxy = false } = deps
  const app = Fastify({
    logger: false,
    bodyLimit,
    // A number is that many hops in front of the server (proxy-addr's rule, which Fastify's types leave out).
    trustProxy: typeof trustProxy === 'number' ? (_address: string, hop: number) => hop < trustProxy : trustProxy,
  })
  useBoundedJsonParser(app)
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  app.setErrorHandler(createErrorHandler(deps.logger))
  app.decorateRequest('caller', null)
  app.decorateRequest('authSession', null)

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'PolicyKit',
        version: '1',
        description: `Errors are { error: { code, message, issues? } }. Sign in with the ${sessionCookie} cookie (send X-CSRF-Token on POST/PUT/PATCH/DELETE) or an API token.`,
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: sessionCookie },
          apiToken: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ session: [] }, { apiToken: [] }],
    },
    transform: documentRoute,
    // Puts every named schema into components.schemas, where the routes' $refs point.
    transformObject: createJsonSchemaTransformObject({ schemaRegistry: apiSchemas }),
  })
  await app.register(fastifyCookie, { secret: cookieSecret(deps.secretKey) })
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        // CodeMirror injects its styles at run time.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        upgradeInsecureRequests: https ? [] : null,
      },
    },
    strictTransportSecurity: https,
  })
  await app.register(fastifyRateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) =>
      new AppError('rate_limited', `too many requests; try again in ${context.after}`),
  })

  const metrics = createMetrics(app, deps.store, deps.engine.latencies, deps.jobStats, () => deps.clock.now())
  app.addHook('onRequest', createAuthenticate(deps))
  app.addHook('preValidation', refuseNul)
  app.addHook('onSend', noStoreHook)
  app.addHook('onResponse', async (request, reply) => {
    deps.logger.debug(
      {
        method: request.method,
        path: loggedPath(request),
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request',
    )
  })

  await app.register(async (ops) => healthRoutes(ops, deps, metrics))
  const limits = createSignInLimits(deps)
  // One for the set-up route and the platforms that found a community: one set-up at a time.
  const firstRun = createFirstRun(deps)
  await app.register(
    async (api) => {
      api.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
      await authRoutes(api, deps, limits)
      await passwordRoutes(api, deps, limits)
      await setupRoutes(api, deps, firstRun, limits)
      await inviteRoutes(api, deps, limits)
      await tokenRoutes(api, deps)
      await communityRoutes(api, deps)
      await platformLinkRoutes(api, deps)
    },
    { prefix: '/api' },
  )

  // Each platform's webhooks, OAuth and sign-in, in a context of its own (its body parsers stay there).
  const host = createPlatformHost(deps, firstRun)
  for (const platform of deps.platforms) {
    const { http = [], webhooks = [] } = platform
    if (http.length === 0 && webhooks.length === 0) {
      continue
    }
    await app.register(
      async (scope) => {
        await mountWebhooks(scope, platform, host)
        for (const routes of http) {
          await routes(scope, host)
        }
      },
      { prefix: `/platforms/${platform.name}` },
    )
  }

  const { webRoot } = deps
  if (webRoot !== null) {
    await app.register(fastifyStatic, {
      root: webRoot,
      // Vite names built assets by content hash; index.html must be fetched fresh.
      setHeaders(reply, path) {
        reply.header(
          'cache-control',
          /[\\/]assets[\\/]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache',
        )
      },
    })
  }
  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/'
    if (webRoot !== null && (request.method === 'GET' || request.method === 'HEAD') && !notDashboard.test(path)) {
      return reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').sendFile('index.html')
    }
    return reply.status(404).send(errorJson('not_found', `no route ${request.method} ${path}`))
  })
  return app
}
