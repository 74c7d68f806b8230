import { parseArgs } from 'node:util'
import { openConfiguredStore, pgBossSchema } from '../app.ts'
import { loadConfig } from '../config.ts'
import { systemClock } from '../scheduler/clock.ts'
import { createPgBossQueue, deadLetterQueue, type PgBossQueue } from '../scheduler/pg-boss-queue.ts'
import type { JobState } from '../store/jobs.ts'
import type { Store } from '../store/store.ts'
import type { CliOutput } from './policy-command.ts'

export const jobsUsage = `usage: policykit jobs list [--state queued|running|failed] [--limit N]
       policykit jobs retry ID`

/** One line of `jobs list`, whichever queue holds the job. */
export interface JobLine {
  id: string
  name: string
  state: string
  attempt: number
  runAt: number
  error: string | null
}

/** What `policykit jobs` does with a queue. */
export interface JobsAdmin {
  list(options: { state?: JobState; limit: number }): Promise<JobLine[]>
  /** Runs a failed job again now; false when there is no such failed job. */
  retry(id: string): Promise<boolean>
  close(): Promise<void>
}

/** The embedded queue's job table (SQLite, or PostgreSQL with POLICYKIT_QUEUE=embedded). */
export function embeddedJobsAdmin(store: Store, now: () => number): JobsAdmin {
  return {
    async list({ state, limit }) {
      const jobs = await store.jobs.list({ limit, ...(state ? { state } : {}) })
      return jobs.map((j) => ({
        id: String(j.id),
        name: j.name,
        state: j.state,
        attempt: j.attempts,
        runAt: j.runAt,
        error: j.lastError,
      }))
    },
    async retry(id) {
      return /^\d+$/.test(id) && (await store.jobs.retry(Number(id), now()))
    },
    close: () => store.close(),
  }
}

/**
 * pg-boss's states of a queue's own rows. A failed job is listed by its copy in the dead-letter
 * queue (which `retry` sends back), not also by the row it failed in.
 */
const pgBossStates: Record<JobState, string[]> = {
  queued: ['created', 'retry'],
  running: ['active'],
  failed: [],
  done: ['completed'],
}

/**
 * pg-boss's jobs: those waiting, running, retrying, and the dead-lettered ones (listed as
 * `failed`, under the name of the queue they came from); retrying one sends it back there.
 */
export function pgBossJobsAdmin(queue: PgBossQueue, schema: string, store: Store): JobsAdmin {
  const db = () => queue.boss.getDb()
  return {
    async list({ state, limit }) {
      const states = state ? pgBossStates[state] : [...pgBossStates.queued, ...pgBossStates.running]
      const { rows } = await db().executeSql(
        `select id, name, state, retry_count, start_after, source_name, coalesce(source_output, output) as output
         from ${schema}.job where (name <> $1 and state = any($2)) or (name = $1 and $3)
         order by created_on limit $4`,
        [deadLetterQueue, states, state === undefined || state === 'failed', limit],
      )
      return rows.map((row: Record<string, unknown>) => {
        const dead = row['name'] === deadLetterQueue
        const output = row['output']
        const error = typeof output === 'object' && output !== null && 'error' in output ? String(output.error) : null
        return {
          id: String(row['id']),
          name: String(dead ? (row['source_name'] ?? row['name']) : row['name']),
          state: dead ? 'failed' : String(row['state']),
          attempt: Number(row['retry_count']) + 1,
          runAt: new Date(String(row['start_after'])).getTime(),
          error,
        }
      })
    },
    async retry(id) {
      if (!/^[0-9a-f-]{36}$/i.test(id)) {
        return false
      }
      return (await queue.boss.redrive(deadLetterQueue, { ids: [id] })) > 0
    },
    async close() {
      await queue.stop()
      await store.close()
    },
  }
}

export async function openJobsAdmin(): Promise<JobsAdmin> {
  const config = loadConfig()
  const store = await openConfiguredStore(config)
  if (config.queue !== 'pg-boss' || !config.databaseUrl) {
    return embeddedJobsAdmin(store, () => Date.now())
  }
  const schema = await pgBossSchema(store)
  const queue = createPgBossQueue({
    connectionString: config.databaseUrl,
    schema,
    clock: systemClock,
    supervise: false,
    concurrency: 1,
  })
  await queue.start()
  return pgBossJobsAdmin(queue, schema, store)
}

export async function runJobsCommand(
  argv: string[],
  io: CliOutput,
  open: () => Promise<JobsAdmin> = openJobsAdmin,
): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: { state: { type: 'string' }, limit: { type: 'string', default: '100' } },
  })
  const [command, id, ...extra] = positionals
  const state = values.state
  const limit = Number(values.limit)
  if (
    (command !== 'list' && command !== 'retry') ||
    (command === 'retry' && (id === undefined || extra.length > 0)) ||
    (command === 'list' && id !== undefined) ||
    (state !== undefined && state !== 'queued' && state !== 'running' && state !== 'failed') ||
    !Number.isInteger(limit) ||
    limit < 1
  ) {
    io.err(`${jobsUsage}\n`)
    return 2
  }
  const admin = await open()
  try {
    if (command === 'retry' && id !== undefined) {
      if (!(await admin.retry(id))) {
        io.err(`policykit: no failed job ${id}\n`)
        return 1
      }
      io.out(`job ${id} will run again\n`)
      return 0
    }
    const jobs = await admin.list({ limit, ...(state ? { state } : {}) })
    for (const job of jobs) {
      const error = job.error === null ? '' : `\t${job.error.split('\n')[0] ?? ''}`
      io.out(
        `${job.id}\t${job.name}\t${job.state}\tattempt ${job.attempt}\t${new Date(job.runAt).toISOString()}${error}\n`,
      )
    }
    if (jobs.length === 0) {
      io.out('no jobs\n')
    }
    return 0
  } finally {
    await admin.close()
  }
}
