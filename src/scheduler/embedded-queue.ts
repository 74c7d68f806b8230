import { randomUUID } from 'node:crypto'
import { isAppError, toError } from '../errors.ts'
import type { Job, JobRepo } from '../store/jobs.ts'
import type { Clock, TimerHandle } from './clock.ts'
import type { JobHandler, JobQueue } from './job-queue.ts'

export interface QueueLogger {
  warn(details: object, message: string): void
  error(details: object, message: string): void
}

export interface EmbeddedQueueOptions {
  jobs: JobRepo
  clock: Clock
  /** Unique per process; defaults to a random one. */
  workerId?: string
  /**
   * How long a claimed job stays ours. It must outlast every handler: a job still running when
   * its lease ends is handed to another process (this process never runs it twice).
   */
  leaseMs?: number
  concurrency?: number
  /** Retry delay base·2^(attempt−1), capped at maxMs, shortened by up to `jitter` (0–1) of it. */
  backoff?: { baseMs: number; maxMs: number; jitter?: number }
  /** How often to look for jobs other processes enqueued or abandoned. */
  pollIntervalMs?: number
  random?: () => number
  logger?: QueueLogger
}

export interface EmbeddedQueue extends JobQueue {
  /** Resolves once no claim is in flight and no handler runs (tests; `stop` uses it too). */
  idle(): Promise<void>
}

const quietLogger: QueueLogger = { warn: () => {}, error: () => {} }
const maxErrorLength = 4000

/**
 * Runs jobs from the durable job table in this process. A `send` of a due job wakes the worker
 * at once; otherwise it sleeps on the clock until the next job is due, and polls now and then
 * for jobs other processes enqueued and for jobs whose worker died.
 */
export function createEmbeddedQueue(options: EmbeddedQueueOptions): EmbeddedQueue {
  const { jobs, clock } = options
  const workerId = options.workerId ?? `embedded-${randomUUID()}`
  const leaseMs = options.leaseMs ?? 5 * 60_000
  const concurrency = options.concurrency ?? 4
  const backoff = {
    baseMs: 1000,
    maxMs: 5 * 60_000,
    jitter: 0.1,
    ...options.backoff,
  }
  const pollIntervalMs = options.pollIntervalMs ?? 1000
  const random = options.random ?? Math.random
  const logger = options.logger ?? quietLogger

  const handlers = new Map<string, JobHandler>()
  const running = new Map<number, Promise<void>>()
  let started = false
  let timer: TimerHandle | undefined
  let pumping: Promise<void> | undefined
  let pumpAgain = false

  function wake(): void {
    if (!started) {
      return
    }
    if (pumping) {
      pumpAgain = true
      return
    }
    pumping = pump()
      .catch((e: unknown) => logger.error({ err: toError(e), workerId }, 'job queue: claiming jobs failed'))
      .finally(() => {
        pumping = undefined
        if (pumpAgain) {
          wake()
        }
      })
  }

  async function pump(): Promise<void> {
    try {
      do {
        pumpAgain = false
        await claimAndRun()
      } while (pumpAgain && started)
    } finally {
      await arm()
    }
  }

  async function claimAndRun(): Promise<void> {
    while (started) {
      const free = concurrency - running.size
      const names = [...handlers.keys()]
      if (free <= 0 || names.length === 0) {
        return
      }
      const claimed = await jobs.claim({
        now: clock.now(),
        workerId,
        leaseMs,
        limit: free,
        names,
      })
      for (const job of claimed) {
        // Our own lease ran out while the handler still runs: the claim just renewed it.
        if (!running.has(job.id)) {
          running.set(
            job.id,
            runJob(job).finally(() => {
              running.delete(job.id)
              wake()
            }),
          )
        }
      }
      if (claimed.length < free) {
        return
      }
    }
  }

  async function arm(): Promise<void> {
    if (!started) {
      return
    }
    let delay = pollIntervalMs
    try {
      const next = await jobs.nextRunAt()
      const now = clock.now()
      // A due job we did not take (no handler here, or no free slot) waits for the poll or for
      // a slot to free up, so the worker never spins.
      if (next !== undefined && next > now) {
        delay = Math.min(delay, next - now)
      }
    } catch (e) {
      logger.warn({ err: toError(e), workerId }, 'job queue: could not read the next due time')
    }
    if (started) {
      timer?.cancel()
      timer = clock.setTimer(delay, wake)
    }
  }

  async function runJob(job: Job): Promise<void> {
    const context = {
      jobId: job.id,
      job: job.name,
      attempt: job.attempts,
      communityId: job.communityId,
      workerId,
    }
    try {
      const handler = handlers.get(job.name)
      let failure: Error | undefined
      try {
        if (!handler) {
          throw new Error(`no handler for job ${job.name}`)
        }
        if (job.attempts > job.maxAttempts) {
          // Only reachable through expired leases: a job that keeps killing its worker.
          throw new Error(`gave up after ${job.maxAttempts} attempts; the last ones never finished`)
        }
        await handler({
          id: String(job.id),
          name: job.name,
          data: job.payload,
          attempt: job.attempts,
        })
      } catch (e) {
        failure = toError(e)
      }
      const now = clock.now()
      if (!failure) {
        await jobs.complete(job.id, workerId, now)
        return
      }
      // Only an unavailable platform may come back; any other error is a bug that a retry won't fix.
      if (isAppError(failure, 'platform_unavailable') && job.attempts < job.maxAttempts) {
        // Never sooner than the platform asked (Retry-After).
        const retryAt = now + Math.max(retryDelay(job.attempts), failure.retryAfterMs ?? 0)
        await jobs.fail(job.id, workerId, describe(failure), retryAt, now)
        logger.warn({ ...context, retryAt, reason: failure.message }, `job ${job.name} will be retried`)
      } else {
        await jobs.fail(job.id, workerId, describe(failure), null, now)
        logger.error({ ...context, err: failure }, `job ${job.name} failed`)
      }
    } catch (e) {
      logger.error(
        { ...context, err: toError(e) },
        `job ${job.name}: could not record its outcome; it runs again when its lease ends`,
      )
    }
  }

  function retryDelay(attempt: number): number {
    const capped = Math.min(backoff.maxMs, backoff.baseMs * 2 ** (attempt - 1))
    return Math.round(capped * (1 - backoff.jitter * random()))
  }

  async function idle(): Promise<void> {
    for (;;) {
      const pending = [...(pumping ? [pumping] : []), ...running.values()]
      if (pending.length === 0) {
        return
      }
      await Promise.all(pending)
    }
  }

  return {
    async send(name, data, sendOptions = {}) {
      const now = clock.now()
      const job = await jobs.enqueue({
        communityId: sendOptions.communityId ?? null,
        name,
        payload: data,
        runAt: sendOptions.startAfter ?? now,
        ...(sendOptions.singletonKey === undefined ? {} : { singletonKey: sendOptions.singletonKey }),
        ...(sendOptions.retryLimit === undefined ? {} : { maxAttempts: sendOptions.retryLimit + 1 }),
        now,
      })
      // Also for a later job or a collapsed singleton: the worker re-reads when to wake up.
      wake()
      return job ? String(job.id) : null
    },
    async hold(trx, name, data, { communityId, singletonKey, forMs }) {
      const now = clock.now()
      const job = await trx.jobs.enqueue({
        communityId,
        name,
        payload: data,
        runAt: now,
        singletonKey,
        lockedBy: { workerId, until: now + forMs },
        now,
      })
      if (!job) {
        throw new Error(`could not write the ${name} job ${singletonKey}`)
      }
      return { done: () => jobs.complete(job.id, workerId, clock.now()) }
    },
    work(name, handler) {
      if (handlers.has(name)) {
        throw new Error(`job queue: ${name} already has a handler`)
      }
      handlers.set(name, handler)
      wake()
    },
    start() {
      started = true
      wake()
      return Promise.resolve()
    },
    async stop() {
      started = false
      timer?.cancel()
      timer = undefined
      await idle()
    },
    idle,
  }
}

function describe(error: Error): string {
  const text = isAppError(error)
    ? `${error.code}: ${error.message}`
    : (error.stack ?? `${error.name}: ${error.message}`)
  return text.length > maxErrorLength ? `${text.slice(0, maxErrorLength)}…` : text
}
