import { mkdirSync } from 'node:fs'
import type { Logger } from './engine/logger.ts'
import type { Config } from './config.ts'
import { createEngine, type Engine } from './engine/engine.ts'
import { platforms } from './platforms/registry.ts'
import { createQuickJsSandbox } from './sandbox/quickjs-sandbox.ts'
import { systemClock, type Clock } from './scheduler/clock.ts'
import { createEmbeddedQueue } from './scheduler/embedded-queue.ts'
import { createScheduler } from './scheduler/scheduler.ts'
import { loadOrCreateSecretKey } from './store/crypto.ts'
import { migrate } from './store/migrate.ts'
import { openStore } from './store/open-store.ts'
import type { Store } from './store/store.ts'

export interface App {
  store: Store
  engine: Engine
  stop(): Promise<void>
}

/** Opens the store from config (migrating it), builds the engine and starts the scheduler. */
export async function startApp(config: Config, logger: Logger, clock: Clock = systemClock): Promise<App> {
  const secretKey = config.secretKeyHex
    ? Buffer.from(config.secretKeyHex, 'hex')
    : loadOrCreateSecretKey(config.secretKeyPath)
  if (!config.databaseUrl) {
    mkdirSync(config.dataDir, { recursive: true })
  }
  const store = await openStore(
    config.databaseUrl ? { databaseUrl: config.databaseUrl, secretKey } : { sqlitePath: config.sqlitePath, secretKey },
  )
  const applied = await migrate(store)
  logger.info({ applied, database: store.dialect }, `database ready (${applied.length} migrations applied)`)
  const sandbox = await createQuickJsSandbox({ poolSize: config.sandboxPoolSize })
  const queue = createEmbeddedQueue({ jobs: store.jobs, clock, logger })
  let engine: Engine | undefined
  const scheduler = createScheduler({
    queue,
    clock,
    sweepIntervalMs: config.sweepIntervalMs,
    onRecheck: async ({ communityId, proposalId }) => {
      await engine?.recheck(communityId, proposalId)
    },
    onSweep: async () => {
      const { checked } = (await engine?.sweep()) ?? { checked: 0 }
      logger.debug({ checked }, 'sweep done')
    },
  })
  engine = createEngine({
    store,
    sandbox,
    platforms,
    clock,
    logger,
    jobs: {
      recheck: (communityId, proposalId, atMs) => scheduler.recheck(communityId, proposalId, atMs),
      retryPerform: async (communityId, actionId, op) => {
        await queue.send('action.perform', { communityId, actionId, op }, { communityId })
      },
    },
  })
  const ready = engine
  queue.work('action.perform', async ({ data }) => {
    const { communityId, actionId, op } = data
    if (typeof communityId !== 'number' || typeof actionId !== 'number' || (op !== 'execute' && op !== 'revert')) {
      throw new Error(`malformed action.perform job: ${JSON.stringify(data)}`)
    }
    await ready.perform(communityId, actionId, op)
  })
  await scheduler.start()
  return {
    store,
    engine: ready,
    async stop() {
      await scheduler.stop()
      await sandbox.close()
      await store.close()
    },
  }
}
