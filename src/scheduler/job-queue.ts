import type { JsonObject } from '../domain/json.ts'
import type { Store } from '../store/store.ts'

export interface SendOptions {
  /** Epoch ms; due at once when absent. (pg-boss takes a Date here; an adapter converts.) */
  startAfter?: number
  /** At most one queued job per key; sending another returns null (see JobRepo.enqueue). */
  singletonKey?: string
  /** Retries after the first attempt, as in pg-boss; only `platform_unavailable` is retried. */
  retryLimit?: number
  communityId?: number | null
}

export interface QueuedJob {
  /** Text, as pg-boss's ids are UUIDs; the embedded queue's are row ids. */
  id: string
  name: string
  data: JsonObject
  /** 1 on the first run. */
  attempt: number
}

export type JobHandler = (job: QueuedJob) => Promise<void>

/**
 * The queue the engine and scheduler use, shaped after pg-boss (send / work / start / stop) so
 * a pg-boss implementation can replace the embedded one. A handler that returns completes the
 * job; one that throws `AppError('platform_unavailable')` is retried with backoff; any other
 * error fails the job at once with the error kept on it.
 */
export interface JobQueue {
  send(name: string, data: JsonObject, options?: SendOptions): Promise<string | null>
  /** One handler per name; jobs whose name has no handler here are left for other processes. */
  work(name: string, handler: JobHandler): void
  start(): Promise<void>
  /**
   * A periodic job run by one process at a time, every `everyMs` (whole minutes), where the queue
   * has schedules of its own (pg-boss); the scheduler otherwise chains singleton jobs.
   */
  schedule?(name: string, everyMs: number): Promise<void>
  /**
   * The outbox (DESIGN §3): a job written in `trx`, the caller's open transaction, so that it
   * exists exactly when that transaction commits, and held by this process for `forMs`: the
   * caller runs its work itself right after the commit and then calls `done`; only when this
   * process dies first does another process take the job, once `forMs` is over.
   */
  hold(
    trx: Store,
    name: string,
    data: JsonObject,
    options: { communityId: number; singletonKey: string; forMs: number },
  ): Promise<{ done(): Promise<void> }>
  /** Stops taking jobs and waits for the running handlers. */
  stop(): Promise<void>
}

/** Jobs of one name in one state, for `/metrics`. */
export interface JobStat {
  name: string
  state: 'queued' | 'running' | 'failed'
  count: number
  /** When the oldest of them was due (epoch ms); null when unknown. */
  oldestDueAt: number | null
}
