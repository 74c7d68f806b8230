import { configuredSecretKey, enginePlatforms, openConfiguredStore } from '../app.ts'
import { loadConfig } from '../config.ts'
import { createEngine } from '../engine/engine.ts'
import { silentLogger } from '../engine/logger.ts'
import type { EngineRef } from '../create-platform-ports.ts'
import { createQuickJsSandbox } from '../sandbox/quickjs-sandbox.ts'
import { systemClock } from '../scheduler/clock.ts'
import type { PolicyCommandRuntime } from './policy-command.ts'

/**
 * The store and an engine for one CLI command, from the same configuration as `policykit start`.
 * The engine runs without the job queue: a first evaluation happens in this process, and the
 * running server's sweep re-checks whatever stays pending. It does not migrate: run
 * `policykit migrate` first.
 */
export async function openCliRuntime(): Promise<PolicyCommandRuntime> {
  const config = loadConfig()
  const store = await openConfiguredStore(config)
  const sandbox = await createQuickJsSandbox({ poolSize: 1, limits: { wallMs: config.sandboxBlockMs } })
  const engineRef: EngineRef = { current: null }
  const platforms = await enginePlatforms({
    store,
    sandbox,
    settings: config.platforms,
    engine: engineRef,
    clock: systemClock,
    logger: silentLogger,
    secretKey: configuredSecretKey(config),
    publicUrl: config.publicUrl,
  })
  const engine = createEngine({ store, sandbox, platforms, clock: systemClock, logger: silentLogger })
  engineRef.current = engine
  return {
    store,
    engine,
    sandbox,
    async close() {
      await sandbox.close()
      await store.close()
    },
  }
}
