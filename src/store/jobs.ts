import type { JsonObject } from '../domain/json.ts'

export type JobState = 'queued' | 'running' | 'done' | 'failed'

export interface Job {
  id: number
  communityId: number | null
  name: string
  payload: JsonObject
  singletonKey: string | null
  state: JobState
  runAt: number
  attempts: number
  maxAttempts: number
  lastError: string | null
}

export interface JobInput {
  communityId: number | null
  name: string
  payload: JsonObject
  runAt: number
  /**
   * At most one queued job per key: enqueueing a second returns null (and moves the queued one
   * up to this `runAt` when that is sooner).
   */
  singletonKey?: string
  maxAttempts?: number
  /**
   * Enqueued already claimed by this worker until `until` (an outbox job its writer runs at once
   * after the commit): nobody else takes it unless the writer stops renewing it.
   */
  lockedBy?: { workerId: string; until: number }
  now: number
}

/** The durable job table (embedded scheduler); `scheduler/` builds the queue on it. */
export interface JobRepo {
  enqueue(input: JobInput): Promise<Job | null>
  /**
   * Claims up to `limit` due jobs (queued with run_at ≤ now, or running with an expired lease)
   * for `workerId` until `now + leaseMs`; no job is claimed by two workers.
   */
  claim(options: { now: number; workerId: string; leaseMs: number; limit: number; names?: string[] }): Promise<Job[]>
  /** The heartbeat: every job `workerId` is running now stays its own until `until`. */
  renew(workerId: string, until: number): Promise<void>
  /** Removes the finished job; nothing happens unless `workerId` still holds it. */
  complete(jobId: number, workerId: string, now: number): Promise<void>
  /**
   * Records the error; re-queues at `retryAt`, or ends in `failed` when it is null. A retry that
   * meets a job queued meanwhile with its singleton key merges into that one.
   */
  fail(jobId: number, workerId: string, error: string, retryAt: number | null, now: number): Promise<void>
  /** A failed job queued again to run now, its attempts counted afresh; false when no such failed job. */
  retry(jobId: number, now: number): Promise<boolean>
  /** How many jobs of each name are queued, running and failed, with the earliest run_at of each. */
  stats(): Promise<{ name: string; state: JobState; count: number; oldestRunAt: number }[]>
  /** The earliest run_at among queued jobs, so a worker can sleep until then. */
  nextRunAt(): Promise<number | undefined>
  list(options?: { state?: JobState; name?: string; limit?: number }): Promise<Job[]>
}
