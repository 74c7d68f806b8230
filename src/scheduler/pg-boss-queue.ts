import { fromKysely, PgBoss, type ConstructorOptions, type Db as IDatabase, type JobResult } from 'pg-boss'
import type { PoolConfig } from 'pg'
import { z } from 'zod'
import { PreparingClient } from '../store/pg-client.ts'
import { isJsonValue, type JsonObject } from '../domain/json.ts'
import { isAppError, toError } from '../errors.ts'
import type { Clock } from './clock.ts'
import type { QueueLogger } from './embedded-queue.ts'
import type { JobHandler, JobQueue, JobStat, SendOptions } from './job-queue.ts'

/** Where a job that exhausted its retries, or failed with a bug, ends up (pg-boss's dead-letter queue). */
export const deadLetterQueue = 'policykit.dead'

export interface PgBossQueueOptions {
  /** postgres://… (its own small pool; pg-boss keeps its tables in `schema`). */
  connectionString: string
  schema: string
  clock: Clock
  logger?: QueueLogger
  /** Jobs of one name run at a time in this process. */
  concurrency?: number
  /** How often an idle worker looks for jobs (pg-boss's minimum is 500 ms). */
  pollIntervalMs?: number
  /** Retries of `platform_unavailable`: pg-boss's exponential backoff from baseSeconds, capped. */
  retry?: { limit: number; baseSeconds: number; maxSeconds: number }
  /** How long completed jobs are kept, and how long a job may wait before pg-boss drops it. */
  retention?: { completedSeconds: number; queuedSeconds: number }
  /** A job still active after this is retried (a worker that died without a word). */
  expireSeconds?: number
  /** Whether this process runs pg-boss's maintenance and schedules (every process may; they take turns). */
  supervise?: boolean
}

export interface PgBossQueue extends JobQueue {
  /** A periodic job: pg-boss's schedule (a cron every `everyMs`, whole minutes), run by one process. */
  schedule(name: string, everyMs: number): Promise<void>
  idle(): Promise<void>
  /** Jobs by name and state; dead-lettered ones count as failed under the name they came from. */
  stats(): Promise<JobStat[]>
  readonly boss: PgBoss
}

const maxErrorLength = 4000

/**
 * The job queue on PostgreSQL at scale: pg-boss, shaped as the embedded queue (`JobQueue`).
 * Every queue is pg-boss's `short` policy, so at most one job per singleton key waits (a second
 * send returns null and moves the waiting one up, as the embedded queue does). A handler that
 * throws `platform_unavailable` is retried with pg-boss's backoff (never sooner than the
 * platform's Retry-After); any other error sends the job to the dead-letter queue at once, and so
 * does the last failed retry. Completed jobs are kept for `retention.completedSeconds`.
 */
export function createPgBossQueue(options: PgBossQueueOptions): PgBossQueue {
  const logger = options.logger ?? { warn: () => {}, error: () => {} }
  const concurrency = options.concurrency ?? 4
  const pollingIntervalSeconds = Math.max(0.5, (options.pollIntervalMs ?? 1000) / 1000)
  const retry = options.retry ?? { limit: 9, baseSeconds: 1, maxSeconds: 300 }
  const retention = options.retention ?? { completedSeconds: 7 * 86_400, queuedSeconds: 14 * 86_400 }
  const expireSeconds = options.expireSeconds ?? 15 * 60
  const supervise = options.supervise ?? true
  const settings: ConstructorOptions & Pick<PoolConfig, 'Client'> = {
    connectionString: options.connectionString,
    schema: options.schema,
    max: concurrency + 2,
    supervise,
    schedule: supervise,
    superviseIntervalSeconds: 30,
    // A job sent by a web process wakes an idle worker at once rather than at its next poll.
    useListenNotify: true,
    application_name: 'policykit',
    // Its statements prepared on each connection, as the store's are: pg-boss hands its options
    // to node-postgres's pool, though its types do not say so (a test checks it does).
    Client: PreparingClient,
  }
  const boss = new PgBoss(settings)
  boss.on('error', (e: unknown) => logger.error({ err: toError(e) }, 'pg-boss error'))

  const handlers = new Map<string, JobHandler>()
  const ready = new Set<string>()
  const running = new Set<Promise<unknown>>()
  let started = false

  const queueOptions = {
    policy: 'short',
    retryLimit: retry.limit,
    retryDelay: retry.baseSeconds,
    retryBackoff: true,
    retryDelayMax: retry.maxSeconds,
    expireInSeconds: expireSeconds,
    deleteAfterSeconds: retention.completedSeconds,
    retentionSeconds: retention.queuedSeconds,
    deadLetter: deadLetterQueue,
    notify: true,
  } as const

  async function ensureQueue(name: string): Promise<void> {
    if (ready.has(name)) {
      return
    }
    if (!(await boss.getQueue(name))) {
      try {
        await boss.createQueue(
          name,
          name === deadLetterQueue ? { retentionSeconds: retention.queuedSeconds } : queueOptions,
        )
      } catch (e) {
        // Another process made it first.
        if (!(await boss.getQueue(name))) {
          throw e
        }
      }
    }
    ready.add(name)
  }

  function jobOptions(sendOptions: SendOptions) {
    return {
      ...(sendOptions.singletonKey === undefined ? {} : { singletonKey: sendOptions.singletonKey }),
      ...(sendOptions.startAfter === undefined ? {} : { startAfter: new Date(sendOptions.startAfter) }),
      ...(sendOptions.retryLimit === undefined ? {} : { retryLimit: sendOptions.retryLimit }),
    }
  }

  /**
   * A collapsed send: the waiting job with that key runs no later than asked. Written as the
   * condition of pg-boss's index of waiting singletons (its `short` policy), so that it finds the
   * one row by that index: otherwise it reads every job of the name, a week of finished ones
   * included (13,000 took 5 ms, against 0.15 ms by the index).
   */
  async function moveUp(db: IDatabase, name: string, key: string, at: number | undefined): Promise<void> {
    await db.executeSql(
      `update ${options.schema}.job set start_after = $3
       where name = $1 and coalesce(singleton_key, '') = $2 and state = 'created' and policy = 'short'
         and start_after > $3`,
      [name, key, new Date(at ?? options.clock.now())],
    )
  }

  async function send(db: IDatabase | undefined, name: string, data: JsonObject, sendOptions: SendOptions = {}) {
    await ensureQueue(name)
    const id = await boss.send(name, data, { ...jobOptions(sendOptions), ...(db ? { db } : {}) })
    if (id === null && sendOptions.singletonKey !== undefined) {
      await moveUp(db ?? boss.getDb(), name, sendOptions.singletonKey, sendOptions.startAfter)
    }
    return id
  }

  async function runOne(
    name: string,
    handler: JobHandler,
    job: { id: string; data: unknown; retryCount: number },
  ): Promise<JobResult> {
    const context = { jobId: job.id, job: name, attempt: job.retryCount + 1 }
    try {
      const data = job.data
      if (!isJsonValue(data) || typeof data !== 'object' || data === null || Array.isArray(data)) {
        throw new Error(`malformed ${name} job ${job.id}: its data is not an object`)
      }
      await handler({ id: job.id, name, data, attempt: job.retryCount + 1 })
      return { id: job.id, status: 'completed' }
    } catch (e) {
      const failure = toError(e)
      const output = { error: describe(failure) }
      if (isAppError(failure, 'platform_unavailable') && job.retryCount < retry.limit) {
        logger.warn({ ...context, reason: failure.message }, `job ${name} will be retried`)
        if (failure.retryAfterMs !== undefined) {
          // pg-boss settles the failure after this returns; the retry then waits at least this long.
          delayRetry(name, job.id, failure.retryAfterMs)
        }
        return { id: job.id, status: 'failed', output }
      }
      logger.error({ ...context, err: failure }, `job ${name} failed`)
      return { id: job.id, status: 'deadletter', output }
    }
  }

  /** Runs once pg-boss has settled the failure (just after the handler returns): a retry waits at least `ms`. */
  function delayRetry(name: string, id: string, ms: number): void {
    const track = new Promise<void>((resolve) => setTimeout(resolve, 100))
      .then(() =>
        boss.getDb().executeSql(
          `update ${options.schema}.job set start_after = greatest(start_after, $3)
             where name = $1 and id = $2 and state = 'retry'`,
          [name, id, new Date(options.clock.now() + ms)],
        ),
      )
      .catch((e: unknown) => logger.warn({ err: toError(e), jobId: id }, 'could not delay a retry'))
      .finally(() => running.delete(track))
    running.add(track)
  }

  // After a fetch, pg-boss waits out the poll interval before the next one, however many jobs
  // wait, unless it fetches in bursts: while a fetch comes back full, a burst fetches again at
  // once. It needs batches of two or more (a batch of one is always full), so the jobs are taken
  // two at a time by half as many loops: a backlog of 100 re-checks took ~25 s with one job a
  // fetch (four loops, a job a second each). With an odd concurrency (1 included), the loops take
  // one job more than may run: it waits for a turn (`turns`), as long as the job before it runs.
  const batchSize = 2
  async function register(name: string, handler: JobHandler): Promise<void> {
    await ensureQueue(name)
    const turns = inTurns(concurrency)
    await boss.work(
      name,
      {
        localConcurrency: Math.ceil(concurrency / batchSize),
        batchSize,
        burstWhenBatchFull: true,
        pollingIntervalSeconds,
        // NOTIFY wakes a worker for a new job; polling still finds retries and deferred jobs.
        notifyPollingIntervalSeconds: pollingIntervalSeconds,
        perJobResults: true,
      },
      async (jobs) => {
        const run = Promise.all(jobs.map((job) => turns(() => runOne(name, handler, job))))
        running.add(run)
        try {
          return await run
        } finally {
          running.delete(run)
        }
      },
    )
  }

  async function idle(): Promise<void> {
    while (running.size > 0) {
      await Promise.allSettled([...running])
    }
  }

  return {
    boss,
    send: (name, data, sendOptions) => send(undefined, name, data, sendOptions),
    async hold(trx, name, data, { communityId, singletonKey, forMs }) {
      // Due once the hold is over: only if this process dies before `done` does another take it.
      const startAfter = options.clock.now() + forMs
      const id = await send(fromKysely(trx.db), name, data, { communityId, singletonKey, startAfter })
      return {
        async done() {
          if (id !== null) {
            await boss.deleteJob(name, id)
          }
        },
      }
    },
    async schedule(name, everyMs) {
      await ensureQueue(name)
      const minutes = Math.max(1, Math.round(everyMs / 60_000))
      const cron = minutes < 60 ? `*/${minutes} * * * *` : `0 */${Math.min(23, Math.round(minutes / 60))} * * *`
      await boss.schedule(name, cron, {}, { singletonKey: name })
    },
    work(name, handler) {
      if (handlers.has(name)) {
        throw new Error(`job queue: ${name} already has a handler`)
      }
      handlers.set(name, handler)
      if (started) {
        register(name, handler).catch((e: unknown) =>
          logger.error({ err: toError(e), job: name }, 'job queue: could not start a worker'),
        )
      }
    },
    async start() {
      await boss.start()
      await ensureQueue(deadLetterQueue)
      started = true
      for (const [name, handler] of handlers) {
        await register(name, handler)
      }
    },
    async stop() {
      if (!started) {
        return
      }
      started = false
      // Graceful: the running handlers finish (and are settled) before the pool closes.
      await boss.stop({ graceful: true, close: true, timeout: 30_000 })
      await idle()
    },
    idle,
    async stats() {
      const { rows } = await boss.getDb().executeSql(
        `select case when name = $1 then coalesce(source_name, name) else name end as name,
                case when name = $1 or state = 'failed' then 'failed'
                     when state = 'active' then 'running' else 'queued' end as state,
                count(*)::int as count, min(start_after) as oldest
         from ${options.schema}.job
         where state in ('created', 'retry', 'active', 'failed')
         group by 1, 2`,
        [deadLetterQueue],
      )
      return z
        .array(
          z.object({
            name: z.string(),
            state: z.enum(['queued', 'running', 'failed']),
            count: z.number(),
            oldest: z.coerce.date().nullable(),
          }),
        )
        .parse(rows)
        .map((r) => ({ name: r.name, state: r.state, count: r.count, oldestDueAt: r.oldest?.getTime() ?? null }))
    },
  }
}

/** Runs what it is given at most `width` at a time; the rest wait their turn, in order. */
function inTurns(width: number): <T>(work: () => Promise<T>) => Promise<T> {
  let running = 0
  const waiting: (() => void)[] = []
  return async (work) => {
    if (running < width) {
      running++
    } else {
      // The one that finishes hands its place over (running stays the same).
      await new Promise<void>((resolve) => waiting.push(resolve))
    }
    try {
      return await work()
    } finally {
      const next = waiting.shift()
      if (next) {
        next()
      } else {
        running--
      }
    }
  }
}

function describe(error: Error): string {
  const text = isAppError(error)
    ? `${error.code}: ${error.message}`
    : (error.stack ?? `${error.name}: ${error.message}`)
  return text.length > maxErrorLength ? `${text.slice(0, maxErrorLength)}…` : text
}
