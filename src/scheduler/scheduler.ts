import type { Clock } from './clock.ts'
import type { JobQueue, QueuedJob } from './job-queue.ts'

export interface SchedulerOptions {
  queue: JobQueue
  clock: Clock
  sweepIntervalMs: number
  onRecheck: (proposal: { communityId: number; proposalId: number }) => Promise<void>
  onSweep: () => Promise<void>
}

export interface Scheduler {
  /** Re-checks the proposal now, or at `atMs`; repeated requests for one time collapse. */
  recheck(communityId: number, proposalId: number, atMs?: number): Promise<void>
  /** Starts the queue; starts the sweep chain, first sweep now, unless a sweep is queued already. */
  start(): Promise<void>
  stop(): Promise<void>
}

export const recheckJob = 'proposal.recheck'
export const sweepJob = 'sweep'

/**
 * Durable timers for the engine on a job queue: proposal re-checks and the periodic sweep.
 * Other job kinds register on the queue directly (`queue.work`).
 *
 * The sweep is a chain of singleton jobs: each run first enqueues the next, then sweeps, so a
 * crash mid-sweep never ends the chain, and a restart finds the queued next one rather than
 * adding a second. A sweep that outlasts the interval must not overlap with the next one: in
 * this process a sweep job that finds one running only keeps the chain going; across
 * processes overlap is harmless because each proposal re-check takes the proposal's lease.
 */
export function createScheduler(options: SchedulerOptions): Scheduler {
  const { queue, clock, sweepIntervalMs } = options
  let sweeping = false
  // pg-boss runs the sweep from its schedule (one process at a time), in whole minutes; a shorter
  // interval keeps the chain.
  const scheduled = queue.schedule !== undefined && sweepIntervalMs >= 60_000

  const scheduleSweep = (at: number) => queue.send(sweepJob, {}, { singletonKey: sweepJob, startAfter: at })

  queue.work(recheckJob, async (job) => {
    await options.onRecheck(recheckTarget(job))
  })

  queue.work(sweepJob, async () => {
    if (!scheduled) {
      await scheduleSweep(clock.now() + sweepIntervalMs)
    }
    if (sweeping) {
      return
    }
    sweeping = true
    try {
      await options.onSweep()
    } finally {
      sweeping = false
    }
  })

  return {
    async recheck(communityId, proposalId, atMs) {
      const now = clock.now()
      const later = atMs !== undefined && atMs > now
      // A timed re-check has a key of its own, so an immediate one (which moves a queued job
      // with its key up to now) does not swallow a deadline still to come.
      await queue.send(
        recheckJob,
        { communityId, proposalId },
        {
          communityId,
          singletonKey: later ? `recheck:${proposalId}@${atMs}` : `recheck:${proposalId}`,
          startAfter: later ? atMs : now,
        },
      )
    },
    async start() {
      // A sweep already queued (a restart, another process) stays as it is; one overdue after
      // downtime runs at once. Only a chain that does not exist yet starts now: the later time
      // never moves a queued sweep, and sending again moves only the job this call created.
      const now = clock.now()
      // pg-boss takes jobs only once started; the embedded queue is started last, after the chain.
      if (queue.schedule) {
        await queue.start()
        if (scheduled) {
          await queue.schedule(sweepJob, sweepIntervalMs)
          return
        }
      }
      if ((await scheduleSweep(now + sweepIntervalMs)) !== null) {
        await scheduleSweep(now)
      }
      if (!queue.schedule) {
        await queue.start()
      }
    },
    stop: () => queue.stop(),
  }
}

function recheckTarget(job: QueuedJob): {
  communityId: number
  proposalId: number
} {
  const { communityId, proposalId } = job.data
  if (typeof communityId !== 'number' || typeof proposalId !== 'number') {
    throw new Error(`malformed ${recheckJob} job ${job.id}: ${JSON.stringify(job.data)}`)
  }
  return { communityId, proposalId }
}
