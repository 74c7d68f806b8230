import type { Kysely, Selectable } from 'kysely'
import type { Database, JobsTable } from './database.ts'
import type { Job, JobRepo, JobState } from './jobs.ts'
import { isUniqueViolation, parseEnum, parseJsonObject } from './rows.ts'
import type { Dialect } from './store.ts'
import type { Prepared } from './prepared.ts'

const defaultMaxAttempts = 10
const jobStates: readonly JobState[] = ['queued', 'running', 'done', 'failed']

/**
 * A job (`$1`…`$11`: community, name, payload, singleton key, state, run at, attempts, locked by
 * and until, max attempts, now). The partial unique index decides races between enqueuers: no
 * error, no aborted transaction, nothing inserted. Its predicate is spelled literally: both
 * databases match it as text.
 */
const enqueueText = `insert into jobs (community_id, name, payload, singleton_key, state, run_at, attempts, locked_by,
    locked_until, max_attempts, created_at, updated_at)
  values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)
  on conflict (singleton_key) where state = 'queued' do nothing
  returning *`

/**
 * The durable job table. Every method is a single statement (or a short sequence of them that
 * is safe to interrupt), never `db.transaction()`, so the repo also works when the store binds
 * it to a transaction of its own. Finished jobs are deleted: the table holds work still to do
 * and failures to look at, while every vote makes a job.
 */
export function createJobRepo(db: Kysely<Database>, dialect: Dialect, prepared: Prepared): JobRepo {
  const owned = (jobId: number, workerId: string) =>
    db.updateTable('jobs').where('id', '=', jobId).where('locked_by', '=', workerId).where('state', '=', 'running')

  /**
   * A retry meets a job with its singleton key that was queued while it ran. The queued job
   * does the same work, so the retry merges into it: it runs no later than the retry would
   * have, carries the error, and the retrying row goes. False when the queued job was claimed
   * meanwhile (the caller then tries to re-queue again).
   */
  async function mergeIntoQueued(
    jobId: number,
    workerId: string,
    error: string,
    retryAt: number,
    now: number,
  ): Promise<boolean> {
    const mine = await db
      .selectFrom('jobs')
      .select('singleton_key')
      .where('id', '=', jobId)
      .where('locked_by', '=', workerId)
      .where('state', '=', 'running')
      .executeTakeFirst()
    if (!mine?.singleton_key) {
      // The lease was lost to another worker, which now owns the job's fate.
      return true
    }
    const merged = await db
      .updateTable('jobs')
      .set((eb) => ({
        run_at: eb.case().when('run_at', '>', retryAt).then(retryAt).else(eb.ref('run_at')).end(),
        last_error: error,
        updated_at: now,
      }))
      .where('singleton_key', '=', mine.singleton_key)
      .where('state', '=', 'queued')
      .executeTakeFirst()
    if (merged.numUpdatedRows === 0n) {
      return false
    }
    await db
      .deleteFrom('jobs')
      .where('id', '=', jobId)
      .where('locked_by', '=', workerId)
      .where('state', '=', 'running')
      .execute()
    return true
  }

  return {
    async enqueue(input) {
      const key = input.singletonKey ?? null
      // Every decision's outcome is a job: a prepared statement.
      const row = await prepared.first<Selectable<JobsTable>>(enqueueText, [
        input.communityId,
        input.name,
        JSON.stringify(input.payload),
        key,
        input.lockedBy ? 'running' : 'queued',
        input.runAt,
        input.lockedBy ? 1 : 0,
        input.lockedBy?.workerId ?? null,
        input.lockedBy?.until ?? null,
        input.maxAttempts ?? defaultMaxAttempts,
        input.now,
      ])
      if (row) {
        return toJob(row)
      }
      if (key !== null) {
        // Someone asking for the work sooner must not wait for the later run (a vote arriving
        // while a recheck backs off), so the queued job moves up to the earliest time asked.
        await db
          .updateTable('jobs')
          .set({ run_at: input.runAt, updated_at: input.now })
          .where('singleton_key', '=', key)
          .where('state', '=', 'queued')
          .where('run_at', '>', input.runAt)
          .execute()
      }
      return null
    },

    async claim({ now, workerId, leaseMs, limit, names }) {
      if (limit <= 0 || names?.length === 0) {
        return []
      }
      let due = db
        .selectFrom('jobs')
        .select('id')
        .where((eb) =>
          eb.or([
            eb.and([eb('state', '=', 'queued'), eb('run_at', '<=', now)]),
            // A worker that died mid-job: its lease ran out, so the job is anyone's again.
            eb.and([eb('state', '=', 'running'), eb('locked_until', '<', now)]),
          ]),
        )
        .orderBy('run_at')
        .orderBy('id')
        .limit(limit)
      if (names) {
        due = due.where('name', 'in', names)
      }
      if (dialect === 'postgres') {
        // Rows another process is claiming right now are skipped rather than waited for.
        due = due.forUpdate().skipLocked()
      }
      // One UPDATE … RETURNING: SQLite runs it under its write lock, PostgreSQL under the row
      // locks above, so no job is handed to two workers.
      const rows = await db
        .updateTable('jobs')
        .set((eb) => ({
          state: 'running',
          locked_by: workerId,
          locked_until: now + leaseMs,
          attempts: eb('attempts', '+', 1),
          updated_at: now,
        }))
        .where('id', 'in', due)
        .returningAll()
        .execute()
      return rows.map(toJob).sort((a, b) => a.runAt - b.runAt || a.id - b.id)
    },

    async renew(workerId, until) {
      await db
        .updateTable('jobs')
        .set({ locked_until: until })
        .where('locked_by', '=', workerId)
        .where('state', '=', 'running')
        .execute()
    },

    async complete(jobId, workerId) {
      // Every job's end (every decision's outcome, on one process): a prepared statement.
      await prepared.changes(`delete from jobs where id = $1 and locked_by = $2 and state = 'running'`, [
        jobId,
        workerId,
      ])
    },

    async fail(jobId, workerId, error, retryAt, now) {
      const released = {
        last_error: error,
        locked_by: null,
        locked_until: null,
        updated_at: now,
      }
      if (retryAt === null) {
        await owned(jobId, workerId)
          .set({ ...released, state: 'failed' })
          .execute()
        return
      }
      // Each round re-queues, merges, or loses the sibling to a concurrent claim (then it runs
      // and is no longer in the way), so a few rounds always suffice.
      for (let round = 0; round < 5; round++) {
        try {
          const result = await owned(jobId, workerId)
            .set({ ...released, state: 'queued', run_at: retryAt })
            .where((eb) =>
              eb.or([
                eb('singleton_key', 'is', null),
                eb.not(
                  eb.exists(
                    eb
                      .selectFrom('jobs as sibling')
                      .select('sibling.id')
                      .whereRef('sibling.singleton_key', '=', 'jobs.singleton_key')
                      .where('sibling.state', '=', 'queued'),
                  ),
                ),
              ]),
            )
            .executeTakeFirst()
          if (result.numUpdatedRows > 0n) {
            return
          }
        } catch (e) {
          // A sibling was enqueued between the check and the write: merge below.
          if (!isUniqueViolation(e)) {
            throw e
          }
        }
        if (await mergeIntoQueued(jobId, workerId, error, retryAt, now)) {
          return
        }
      }
      throw new Error(`job ${jobId}: could not re-queue its retry`)
    },

    async retry(jobId, now) {
      try {
        const result = await db
          .updateTable('jobs')
          .set({ state: 'queued', run_at: now, attempts: 0, updated_at: now })
          .where('id', '=', jobId)
          .where('state', '=', 'failed')
          .executeTakeFirst()
        return result.numUpdatedRows > 0n
      } catch (e) {
        if (!isUniqueViolation(e)) {
          throw e
        }
        // The same work is queued already (its singleton key): the failed job goes in favour of it.
        const removed = await db
          .deleteFrom('jobs')
          .where('id', '=', jobId)
          .where('state', '=', 'failed')
          .executeTakeFirst()
        return removed.numDeletedRows > 0n
      }
    },

    async stats() {
      const rows = await db
        .selectFrom('jobs')
        .select((eb) => ['name', 'state', eb.fn.countAll<number>().as('count'), eb.fn.min('run_at').as('oldest')])
        .groupBy(['name', 'state'])
        .execute()
      return rows.map((r) => ({
        name: r.name,
        state: parseEnum('jobs', 0, 'state', r.state, jobStates),
        count: Number(r.count),
        oldestRunAt: Number(r.oldest),
      }))
    },

    async nextRunAt() {
      const row = await db
        .selectFrom('jobs')
        .select((eb) => eb.fn.min('run_at').as('next'))
        .where('state', '=', 'queued')
        .executeTakeFirst()
      return row?.next === null || row?.next === undefined ? undefined : Number(row.next)
    },

    async list(options = {}) {
      let query = db
        .selectFrom('jobs')
        .selectAll()
        .orderBy('id')
        .limit(options.limit ?? 100)
      if (options.state) {
        query = query.where('state', '=', options.state)
      }
      if (options.name) {
        query = query.where('name', '=', options.name)
      }
      return (await query.execute()).map(toJob)
    },
  }
}

function toJob(row: Selectable<JobsTable>): Job {
  // Number(): pg hands bigint columns back as text unless the pool is told otherwise.
  return {
    id: Number(row.id),
    communityId: row.community_id === null ? null : Number(row.community_id),
    name: row.name,
    payload: parseJsonObject('jobs', row.id, 'payload', row.payload),
    singletonKey: row.singleton_key,
    state: parseEnum('jobs', row.id, 'state', row.state, jobStates),
    runAt: Number(row.run_at),
    attempts: Number(row.attempts),
    maxAttempts: Number(row.max_attempts),
    lastError: row.last_error,
  }
}
