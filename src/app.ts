import { mkdirSync } from 'node:fs'
import type { Config } from './config.ts'
import type { Engine } from './engine/engine.ts'
import type { Logger } from './engine/logger.ts'
import { createEngineRuntime } from './engine-runtime.ts'
import { createConstitutionPlatform } from './platforms/constitution/manifest.ts'
import type { PlatformDef } from './platforms/platform.ts'
import { platforms } from './platforms/registry.ts'
import { createQuickJsSandbox } from './sandbox/quickjs-sandbox.ts'
import type { Sandbox } from './sandbox/sandbox.ts'
import { systemClock, type Clock } from './scheduler/clock.ts'
import { loadOrCreateSecretKey } from './store/crypto.ts'
import { migrate } from './store/migrate.ts'
import { openStore } from './store/open-store.ts'
import type { Store } from './store/store.ts'

export interface App {
  store: Store
  engine: Engine
  stop(): Promise<void>
}

/** The configured database: PostgreSQL with DATABASE_URL, else the embedded SQLite file. */
export async function openConfiguredStore(config: Config): Promise<Store> {
  const secretKey = config.secretKeyHex
    ? Buffer.from(config.secretKeyHex, 'hex')
    : loadOrCreateSecretKey(config.secretKeyPath)
  if (config.databaseUrl) {
    return openStore({ databaseUrl: config.databaseUrl, secretKey })
  }
  mkdirSync(config.dataDir, { recursive: true })
  return openStore({ sqlitePath: config.sqlitePath, secretKey })
}

/** Every platform the engine runs with: the built-in constitution and the registry's. */
export function enginePlatforms(store: Store, sandbox: Sandbox): PlatformDef[] {
  return [createConstitutionPlatform({ store, sandbox }), ...platforms]
}

/** Opens the store from config (migrating it), builds the engine and starts the scheduler. */
export async function startApp(config: Config, logger: Logger, clock: Clock = systemClock): Promise<App> {
  const store = await openConfiguredStore(config)
  const applied = await migrate(store)
  logger.info({ applied, database: store.dialect }, `database ready (${applied.length} migrations applied)`)
  const sandbox = await createQuickJsSandbox({ poolSize: config.sandboxPoolSize })
  const runtime = createEngineRuntime({
    store,
    sandbox,
    platforms: enginePlatforms(store, sandbox),
    clock,
    logger,
    sweepIntervalMs: config.sweepIntervalMs,
  })
  await runtime.start()
  return {
    store,
    engine: runtime.engine,
    async stop() {
      await runtime.stop()
      await sandbox.close()
      await store.close()
    },
  }
}
