import type { FastifyInstance } from 'fastify'
import { enginePlatforms } from '../../src/app.ts'
import type { PlatformSettings } from '../../src/platforms/registry.ts'
import type { EngineRef } from '../../src/create-platform-ports.ts'
import { createEngine, type Engine } from '../../src/engine/engine.ts'
import { silentLogger } from '../../src/engine/logger.ts'
import type { PlatformDef } from '../../src/platforms/platform.ts'
import type { Sandbox } from '../../src/sandbox/sandbox.ts'
import { createServer } from '../../src/server/create-server.ts'
import type { Store } from '../../src/store/store.ts'
import type { FakeClock } from './fake-clock.ts'
import { testSecretKey } from './test-store.ts'

export interface PlatformServer {
  engine: Engine
  platforms: PlatformDef[]
  app: FastifyInstance
  /** `http://127.0.0.1:<port>`, where the server listens. */
  origin: string
}

/**
 * The real engine and HTTP server with the platforms `settings` turn on (each pointed at its
 * fake), listening on a free port: what a platform's listening tests deliver webhooks to.
 */
export async function startPlatformServer(deps: {
  store: Store
  sandbox: Sandbox
  clock: FakeClock
  settings: PlatformSettings
}): Promise<PlatformServer> {
  const { store, sandbox, clock, settings } = deps
  const engineRef: EngineRef = { current: null }
  const platforms = await enginePlatforms({
    store,
    sandbox,
    settings,
    engine: engineRef,
    clock,
    logger: silentLogger,
    secretKey: testSecretKey,
  })
  const engine = createEngine({ store, sandbox, platforms, clock })
  engineRef.current = engine
  const app = await createServer({
    store,
    engine,
    platforms,
    sandbox,
    clock,
    logger: silentLogger,
    secretKey: testSecretKey,
    publicUrl: 'http://localhost:3000',
    webRoot: null,
    setupToken: null,
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  if (address === null || typeof address === 'string') {
    throw new Error('the server is not listening on a TCP port')
  }
  return { engine, platforms, app, origin: `http://127.0.0.1:${address.port}` }
}
