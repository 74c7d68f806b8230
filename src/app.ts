import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import type { Config } from './config.ts'
import type { Engine } from './engine/engine.ts'
import type { Logger } from './engine/logger.ts'
import { createEngineRuntime, type EngineRuntime } from './engine-runtime.ts'
import { createPlatformPorts, type EngineRef } from './create-platform-ports.ts'
import { startListeners } from './listeners/run-listeners.ts'
import { createConstitutionPlatform } from './platforms/constitution/manifest.ts'
import type { PlatformDef } from './platforms/platform.ts'
import { platformModules, type PlatformSettings } from './platforms/registry.ts'
import { createQuickJsSandbox } from './sandbox/quickjs-sandbox.ts'
import { randomToken } from './secret-token.ts'
import { createServer } from './server/create-server.ts'
import type { Sandbox } from './sandbox/sandbox.ts'
import type { PgBossQueue } from './scheduler/pg-boss-queue.ts'
import { systemClock, type Clock } from './scheduler/clock.ts'
import { loadOrCreateSecretKey } from './store/crypto.ts'
import { makePrivateDirectory } from './store/make-private.ts'
import { migrate } from './store/migrate.ts'
import { openStore } from './store/open-store.ts'
import type { Store } from './store/store.ts'
import { projectRoot } from './project-root.ts'

export interface App {
  store: Store
  engine: Engine
  /** The HTTP server, built but not listening (`main.ts` listens). */
  server: FastifyInstance
  /** While no community exists: the one-time token of the set-up link; null once set up. */
  setupToken: string | null
  /** Resolves once no job is running (tests wait on it instead of sleeping). */
  idle(): Promise<void>
  stop(): Promise<void>
}

/** The server key: POLICYKIT_SECRET_KEY, else the key file under the data directory (made on first start). */
export function configuredSecretKey(config: Config): Buffer {
  if (config.secretKeyHex) {
    return Buffer.from(config.secretKeyHex, 'hex')
  }
  makePrivateDirectory(config.dataDir)
  return loadOrCreateSecretKey(config.secretKeyPath)
}

/** The dashboard's build (`npm run build:web`), in the project's folder. */
const webDist = path.join(projectRoot, 'web', 'dist')

/** The configured database: PostgreSQL with DATABASE_URL, else the embedded SQLite file. */
export async function openConfiguredStore(
  config: Config,
  secretKey: Buffer = configuredSecretKey(config),
  /** For a process that serves (`start`, `worker`): see `OpenStoreOptions.checkpointThread`. */
  serving = false,
): Promise<Store> {
  if (config.databaseUrl) {
    return openStore({ databaseUrl: config.databaseUrl, secretKey })
  }
  makePrivateDirectory(config.dataDir)
  return openStore({ sqlitePath: config.sqlitePath, secretKey, checkpointThread: serving })
}

/**
 * Every platform the engine runs with: the built-in constitution and each registered platform
 * whose settings are given, handed its ports (they reach `engine` once it is built from these).
 * Only those platforms' code is imported (`PlatformModule.load`): one left off costs no memory.
 */
export async function enginePlatforms(deps: {
  store: Store
  sandbox: Sandbox
  settings: PlatformSettings
  engine: EngineRef
  clock: Clock
  logger: Logger
  /** The server key platforms derive their keys from (without it, a random one for this run). */
  secretKey?: Buffer
  /** Where PolicyKit is reached (callback URLs platforms hand out); default `http://localhost:3000`. */
  publicUrl?: string
}): Promise<PlatformDef[]> {
  const { store, sandbox, settings } = deps
  const configured = platformModules.filter((module) => (settings[module.name] ?? null) !== null)
  const others = await Promise.all(
    configured.map(async (module) => {
      const factory = await module.load()
      const ports = createPlatformPorts({
        platform: module.name,
        store,
        engine: deps.engine,
        logger: deps.logger,
        now: () => deps.clock.now(),
        ...(deps.secretKey ? { secretKey: deps.secretKey } : {}),
        ...(deps.publicUrl ? { publicUrl: deps.publicUrl } : {}),
      })
      return factory.create(settings[module.name], ports)
    }),
  )
  const platform = (name: string) => others.find((p) => p.name === name)
  return [createConstitutionPlatform({ store, sandbox, platform }), ...others]
}

/** What a process runs without the HTTP server: the store, the sandbox, the platforms and the engine on its queue. */
export interface Runtime {
  store: Store
  secretKey: Buffer
  sandbox: Sandbox
  platforms: PlatformDef[]
  runtime: EngineRuntime
  stop(): Promise<void>
}

/** pg-boss's tables go beside ours: `pgboss`, or `<schema>_pgboss` when ours is not `public`. */
export async function pgBossSchema(store: Store): Promise<string> {
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(store.db)
  const schema = rows[0]?.schema ?? 'public'
  return schema === 'public' ? 'pgboss' : `${schema}_pgboss`
}

/** The pg-boss queue, its library imported only now (a server on SQLite never loads it). */
async function pgBossQueue(
  store: Store,
  connectionString: string,
  concurrency: number,
  clock: Clock,
  logger: Logger,
): Promise<PgBossQueue> {
  const { createPgBossQueue } = await import('./scheduler/pg-boss-queue.ts')
  return createPgBossQueue({ connectionString, schema: await pgBossSchema(store), concurrency, clock, logger })
}

/**
 * Opens the store from config (migrating it), builds the engine on its queue (pg-boss on
 * PostgreSQL unless POLICYKIT_QUEUE=embedded) and starts it: the scheduler, unless `runJobs`
 * is off the jobs, and the platforms' background listeners. `policykit worker` is this alone.
 */
export async function startRuntime(
  config: Config,
  logger: Logger,
  clock: Clock = systemClock,
  options: { runJobs?: boolean } = {},
): Promise<Runtime> {
  const secretKey = configuredSecretKey(config)
  const store = await openConfiguredStore(config, secretKey, true)
  const applied = await migrate(store)
  logger.info({ applied, database: store.dialect }, `database ready (${applied.length} migrations applied)`)
  const sandbox = await createQuickJsSandbox({
    poolSize: config.sandboxPoolSize,
    limits: { wallMs: config.sandboxBlockMs },
    spinMs: config.sandboxSpinMs,
  })
  const engineRef: EngineRef = { current: null }
  const platformDefs = await enginePlatforms({
    store,
    sandbox,
    settings: config.platforms,
    engine: engineRef,
    clock,
    logger,
    secretKey,
    publicUrl: config.publicUrl,
  })
  // One name for this process: its proposal leases, execution claims, jobs and listener leases.
  const processId = `process-${randomUUID()}`
  const usePgBoss = store.dialect === 'postgres' && config.queue === 'pg-boss' && config.databaseUrl !== undefined
  const runtime = createEngineRuntime({
    owner: processId,
    store,
    sandbox,
    platforms: platformDefs,
    clock,
    logger,
    sweepIntervalMs: config.sweepIntervalMs,
    leaseMs: config.leaseMs,
    runJobs: options.runJobs ?? config.runJobs,
    ...(usePgBoss && config.databaseUrl
      ? { pgBoss: await pgBossQueue(store, config.databaseUrl, config.jobConcurrency, clock, logger) }
      : {}),
  })
  engineRef.current = runtime.engine
  try {
    await runtime.start()
  } catch (e) {
    await runtime.stop().catch(() => {})
    await sandbox.close()
    await store.close()
    throw e
  }
  // Every process runs the platforms' listeners: web processes and workers alike ('once' ones
  // under a lease, so one process at a time).
  const listeners = startListeners({
    platforms: platformDefs,
    leases: store.listenerLeases,
    holder: processId,
    leaseMs: config.listenerLeaseMs,
    now: () => clock.now(),
    logger,
  })
  return {
    store,
    secretKey,
    sandbox,
    platforms: platformDefs,
    runtime,
    async stop() {
      await listeners.stop()
      await runtime.stop()
      await sandbox.close()
      await store.close()
    },
  }
}

/**
 * Opens the store from config (migrating it), builds the engine, starts the scheduler and the
 * platforms' listeners, and builds the HTTP server (not listening yet).
 */
export async function startApp(config: Config, logger: Logger, clock: Clock = systemClock): Promise<App> {
  const started = await startRuntime(config, logger, clock)
  const { store, sandbox, secretKey, runtime } = started
  const webRoot = existsSync(path.join(webDist, 'index.html')) ? webDist : null
  if (webRoot === null) {
    logger.warn({ webDist }, 'the dashboard is not built: serving the API only (run `npm run build:web`)')
  }
  const setupToken = (await store.communities.listAll()).length === 0 ? randomToken() : null
  const server = await createServer({
    store,
    engine: runtime.engine,
    platforms: started.platforms,
    sandbox,
    clock,
    logger,
    secretKey,
    publicUrl: config.publicUrl,
    trustProxy: config.trustProxy,
    webRoot,
    setupToken,
    jobStats: () => runtime.jobStats(),
  })
  return {
    store,
    engine: runtime.engine,
    server,
    setupToken,
    idle: () => runtime.idle(),
    async stop() {
      await server.close()
      await started.stop()
    },
  }
}
