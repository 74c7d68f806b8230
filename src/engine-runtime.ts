import { createEngine, type Engine, type EngineDeps } from './engine/engine.ts'
import type { Clock } from './scheduler/clock.ts'
import { createEmbeddedQueue, type EmbeddedQueue } from './scheduler/embedded-queue.ts'
import { createScheduler, type Scheduler } from './scheduler/scheduler.ts'

export const performJob = 'action.perform'

export interface EngineRuntime {
  engine: Engine
  queue: EmbeddedQueue
  scheduler: Scheduler
  start(): Promise<void>
  stop(): Promise<void>
}

/**
 * The engine on the embedded durable queue: votes re-check their proposal through a job at
 * once, a periodic sweep re-checks the pending ones, and executions the platform could not take
 * are retried with backoff. Used by the app, the benchmark and the tests alike.
 */
export function createEngineRuntime(
  deps: Omit<EngineDeps, 'jobs' | 'clock'> & {
    clock: Clock
    sweepIntervalMs: number
    /** How often to look for jobs other processes queued (default 1 s). */
    pollIntervalMs?: number
  },
): EngineRuntime {
  const { store, clock } = deps
  const queue = createEmbeddedQueue({
    jobs: store.jobs,
    clock,
    ...(deps.logger ? { logger: deps.logger } : {}),
    ...(deps.pollIntervalMs ? { pollIntervalMs: deps.pollIntervalMs } : {}),
  })
  const engineRef: { current?: Engine } = {}
  const scheduler = createScheduler({
    queue,
    clock,
    sweepIntervalMs: deps.sweepIntervalMs,
    onRecheck: async ({ communityId, proposalId }) => {
      await engineRef.current?.recheck(communityId, proposalId)
    },
    onSweep: async () => {
      await engineRef.current?.sweep()
    },
  })
  const engine = createEngine({
    ...deps,
    jobs: {
      recheck: (communityId, proposalId, atMs) => scheduler.recheck(communityId, proposalId, atMs),
      retryPerform: async (communityId, actionId, op, atMs) => {
        // One queued retry per action and operation: the sweep finding an interrupted claim again
        // while its retry waits in a busy queue adds nothing.
        await queue.send(
          performJob,
          { communityId, actionId, op },
          { communityId, startAfter: atMs, singletonKey: `perform:${actionId}:${op}` },
        )
      },
    },
  })
  engineRef.current = engine
  queue.work(performJob, async ({ data }) => {
    const { communityId, actionId, op } = data
    if (typeof communityId !== 'number' || typeof actionId !== 'number' || (op !== 'execute' && op !== 'revert')) {
      throw new Error(`malformed ${performJob} job: ${JSON.stringify(data)}`)
    }
    await engine.perform(communityId, actionId, op)
  })
  return {
    engine,
    queue,
    scheduler,
    start: () => scheduler.start(),
    stop: () => scheduler.stop(),
  }
}
