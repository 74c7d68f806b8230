import { randomUUID } from 'node:crypto'
import { createEngine, defaultLeaseMs, type Engine, type EngineDeps } from './engine/engine.ts'
import { toError } from './errors.ts'
import type { Clock, TimerHandle } from './scheduler/clock.ts'
import { createEmbeddedQueue } from './scheduler/embedded-queue.ts'
import type { JobQueue, JobStat } from './scheduler/job-queue.ts'
import type { PgBossQueue } from './scheduler/pg-boss-queue.ts'
import { createScheduler, type Scheduler } from './scheduler/scheduler.ts'

export const performJob = 'action.perform'
export const outcomeJob = 'proposal.outcome'

export interface EngineRuntime {
  engine: Engine
  queue: JobQueue & { idle(): Promise<void> }
  /** The queue's jobs by name and state (`/metrics`). */
  jobStats(): Promise<JobStat[]>
  /** Set when the queue is pg-boss (PostgreSQL at scale). */
  pgBoss: PgBossQueue | undefined
  scheduler: Scheduler
  start(): Promise<void>
  stop(): Promise<void>
  /** Resolves once no heartbeat and no job is running (tests wait on it instead of sleeping). */
  idle(): Promise<void>
}

/**
 * The engine on the embedded durable queue: votes re-check their proposal through a job at
 * once, a periodic sweep re-checks the pending ones, and executions the platform could not take
 * are retried with backoff. A decision's outcome is a job written with the decision (and run at
 * once by the decider). A heartbeat every third of the lease renews what this process holds
 * (proposal leases, execution claims, running jobs) and takes over what a dead one held, so a
 * killed process's work resumes within about `leaseMs` plus a third of it. Used by the app, the
 * benchmark and the tests alike.
 */
export function createEngineRuntime(
  deps: Omit<EngineDeps, 'jobs' | 'clock'> & {
    clock: Clock
    sweepIntervalMs: number
    /** How often to look for jobs other processes queued (default 1 s). */
    pollIntervalMs?: number
    /**
     * PostgreSQL at scale: jobs go through this pg-boss queue (`createPgBossQueue`, imported by
     * the caller only then) rather than the embedded job table.
     */
    pgBoss?: PgBossQueue
    /**
     * False in a web-only process (`POLICYKIT_JOBS=off`): it queues jobs but runs none, and a
     * vote's re-check goes to the workers rather than running in the request.
     */
    runJobs?: boolean
  },
): EngineRuntime {
  const { store, clock } = deps
  const leaseMs = deps.leaseMs ?? defaultLeaseMs
  const owner = deps.owner ?? `process-${randomUUID()}`
  const runJobs = deps.runJobs ?? true
  const pgBoss = deps.pgBoss
  const queue =
    pgBoss ??
    createEmbeddedQueue({
      jobs: store.jobs,
      clock,
      workerId: owner,
      leaseMs,
      ...(deps.logger ? { logger: deps.logger } : {}),
      ...(deps.pollIntervalMs ? { pollIntervalMs: deps.pollIntervalMs } : {}),
    })
  // A web-only process registers no handler, so it takes no job (pg-boss and the embedded queue
  // both leave jobs without a handler here to other processes).
  const work: JobQueue['work'] = (name, handler) => {
    if (runJobs) {
      queue.work(name, handler)
    }
  }
  const engineRef: { current?: Engine } = {}
  const scheduler = createScheduler({
    queue: { ...queue, work },
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
    leaseMs,
    owner,
    ...(runJobs ? {} : { recheckQueued: true }),
    jobs: {
      // Held by this process, which carries the outcome out at once after the commit; another
      // process takes it only if this one dies first, once the lease is over.
      scheduleOutcome: (trx, communityId, proposalId) =>
        queue.hold(
          trx,
          outcomeJob,
          { communityId, proposalId },
          { communityId, singletonKey: `outcome:${proposalId}`, forMs: leaseMs },
        ),
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
  work(performJob, async ({ data }) => {
    const { communityId, actionId, op } = data
    if (typeof communityId !== 'number' || typeof actionId !== 'number' || (op !== 'execute' && op !== 'revert')) {
      throw new Error(`malformed ${performJob} job: ${JSON.stringify(data)}`)
    }
    await engine.perform(communityId, actionId, op)
  })
  work(outcomeJob, async ({ data }) => {
    const { communityId, proposalId } = data
    if (typeof communityId !== 'number' || typeof proposalId !== 'number') {
      throw new Error(`malformed ${outcomeJob} job: ${JSON.stringify(data)}`)
    }
    await engine.runOutcome(communityId, proposalId)
  })

  let timer: TimerHandle | undefined
  let beating: Promise<void> | undefined
  let running = false
  const beat = async () => {
    try {
      await store.jobs.renew(owner, clock.now() + leaseMs)
      await engine.heartbeat()
    } catch (e) {
      deps.logger?.error({ err: toError(e) }, 'heartbeat failed')
    }
  }
  const arm = () => {
    timer = clock.setTimer(Math.max(1, Math.floor(leaseMs / 3)), () => {
      beating = beat().finally(() => {
        beating = undefined
        if (running) {
          arm()
        }
      })
    })
  }
  return {
    engine,
    queue,
    pgBoss,
    scheduler,
    async jobStats() {
      if (pgBoss) {
        return pgBoss.stats()
      }
      const stats = await store.jobs.stats()
      return stats.flatMap(({ name, state, count, oldestRunAt }) =>
        state === 'done' ? [] : [{ name, state, count, oldestDueAt: state === 'failed' ? null : oldestRunAt }],
      )
    },
    async start() {
      running = true
      // At once: what a process that died before this start held is taken over now if its lease ran out.
      await beat()
      arm()
      await scheduler.start()
    },
    async stop() {
      running = false
      timer?.cancel()
      await beating
      await scheduler.stop()
    },
    async idle() {
      await beating
      await queue.idle()
    },
  }
}
