import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { sql } from 'kysely'
import { z } from 'zod'
import { pgBossJobsAdmin } from '../../src/cli/jobs-command.ts'
import { AppError } from '../../src/errors.ts'
import { systemClock } from '../../src/scheduler/clock.ts'
import type { QueuedJob } from '../../src/scheduler/job-queue.ts'
import { createPgBossQueue, deadLetterQueue, type PgBossQueue } from '../../src/scheduler/pg-boss-queue.ts'
import type { Store } from '../../src/store/store.ts'
import { openTestStore } from '../support/test-store.ts'
import { until } from '../support/until.ts'

const databaseUrl = process.env['DATABASE_URL']

/** Resolves with each job a handler is given, in order. */
function inbox(): { handler: (job: QueuedJob) => Promise<void>; next(): Promise<QueuedJob> } {
  const jobs: QueuedJob[] = []
  const waiting: ((job: QueuedJob) => void)[] = []
  return {
    handler: (job) => {
      const w = waiting.shift()
      if (w) {
        w(job)
      } else {
        jobs.push(job)
      }
      return Promise.resolve()
    },
    next: () => {
      const job = jobs.shift()
      return job ? Promise.resolve(job) : new Promise((resolve) => waiting.push(resolve))
    },
  }
}

describe('postgres: the pg-boss queue', { skip: !databaseUrl }, () => {
  let store: Store
  let queue: PgBossQueue
  let schema: string
  const seen = inbox()
  const flaky = inbox()
  let flakyCalls = 0
  const broken: string[] = []

  before(async () => {
    store = await openTestStore('postgres')
    schema = `pgboss_${randomBytes(6).toString('hex')}`
    queue = createPgBossQueue({
      connectionString: databaseUrl ?? '',
      schema,
      clock: systemClock,
      pollIntervalMs: 500,
      retry: { limit: 2, baseSeconds: 1, maxSeconds: 1 },
    })
    queue.work('test.seen', seen.handler)
    queue.work('test.flaky', async (job) => {
      flakyCalls++
      if (job.attempt === 1) {
        throw new AppError('platform_unavailable', 'try later')
      }
      await flaky.handler(job)
    })
    queue.work('test.broken', (job) => {
      broken.push(job.id)
      return Promise.reject(new Error('a bug'))
    })
    await queue.start()
  })

  after(async () => {
    await queue.stop()
    await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(store.db)
    await store.close()
  })

  async function jobsOf(name: string): Promise<{ state: string; singleton_key: string | null; start_after: Date }[]> {
    const { rows } = await queue.boss
      .getDb()
      .executeSql(`select state, singleton_key, start_after from ${schema}.job where name = $1 order by created_on`, [
        name,
      ])
    return rows as { state: string; singleton_key: string | null; start_after: Date }[]
  }

  it('runs a job sent to it with its data, on its first attempt', async () => {
    const id = await queue.send('test.seen', { n: 1 }, { singletonKey: 'a' })
    const job = await seen.next()
    assert.equal(job.id, id)
    assert.deepEqual(job.data, { n: 1 })
    assert.equal(job.attempt, 1)
  })

  it("prepares pg-boss's statements on its connections, as the store's are", async () => {
    const sender = createPgBossQueue({
      connectionString: databaseUrl ?? '',
      schema,
      clock: systemClock,
      supervise: false,
    })
    await sender.start()
    try {
      for (let i = 0; i < 3; i++) {
        await sender.send('test.prepared', { i })
      }
      // Each connection of its pool at once (each asks while the others wait), for what it holds.
      const held = await Promise.all(
        Array.from({ length: 6 }, () =>
          sender.boss.getDb().executeSql(
            `with pause as (select pg_sleep(0.05)) select statement from pause, pg_prepared_statements
             where statement like '%INSERT INTO ${schema}.job%'`,
          ),
        ),
      )
      assert.ok(
        held.some(({ rows }) => rows.length === 1),
        'the send is a prepared statement on the connection that ran it',
      )
    } finally {
      await sender.stop()
    }
  })

  for (const concurrency of [1, 2, 3]) {
    it(`takes waiting jobs one batch after another without waiting out its poll interval, ${concurrency} at once at most`, async () => {
      const name = `test.backlog${concurrency}`
      for (let i = 0; i < 12; i++) {
        await queue.send(name, { i }, { singletonKey: `backlog-${i}` })
      }
      // Another process takes them, polling once a minute: only its bursts can take all twelve soon.
      const ran: unknown[] = []
      let running = 0
      let most = 0
      const worker = createPgBossQueue({
        connectionString: databaseUrl ?? '',
        schema,
        clock: systemClock,
        pollIntervalMs: 60_000,
        concurrency,
        supervise: false,
      })
      worker.work(name, async (job) => {
        running++
        most = Math.max(most, running)
        // Long enough for the jobs fetched with it to overlap it, were they let.
        await new Promise((resolve) => setTimeout(resolve, 30))
        running--
        ran.push(job.data)
      })
      await worker.start()
      try {
        assert.ok(await until(() => ran.length === 12, 20_000), `${ran.length} of 12 jobs ran`)
      } finally {
        await worker.stop()
      }
      assert.equal(most, concurrency, 'as many at once as asked, no more')
    })
  }

  it('keeps one waiting job per singleton key, moved up to the sooner time asked', async () => {
    const far = Date.now() + 3_600_000
    const first = await queue.send('test.later', { n: 1 }, { singletonKey: 'k', startAfter: far })
    assert.ok(first)
    assert.equal(await queue.send('test.later', { n: 2 }, { singletonKey: 'k', startAfter: far + 60_000 }), null)
    assert.equal((await jobsOf('test.later'))[0]?.start_after.getTime(), far)
    assert.equal(await queue.send('test.later', { n: 3 }, { singletonKey: 'k', startAfter: far - 60_000 }), null)
    const jobs = await jobsOf('test.later')
    assert.equal(jobs.length, 1)
    assert.equal(jobs[0]?.start_after.getTime(), far - 60_000)
  })

  it('retries a job whose platform was unavailable, with the attempt counted', async () => {
    await queue.send('test.flaky', { n: 1 }, { singletonKey: 'f' })
    const job = await flaky.next()
    assert.equal(job.attempt, 2)
    assert.equal(flakyCalls, 2)
  })

  it('sends a job that failed with a bug to the dead-letter queue at once, its error kept', async () => {
    const id = await queue.send('test.broken', { n: 1 }, { singletonKey: 'b' })
    for (;;) {
      const { rows } = await queue.boss
        .getDb()
        .executeSql(`select source_output from ${schema}.job where name = $1 and source_id = $2`, [deadLetterQueue, id])
      const output = z.array(z.object({ source_output: z.unknown() })).parse(rows)[0]?.source_output
      if (output) {
        assert.match(JSON.stringify(output), /a bug/)
        break
      }
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    assert.deepEqual(broken, [id])
    // /metrics counts it as a failure of the queue it came from (its own row, and the dead letter).
    const failed = (await queue.stats()).filter((s) => s.name === 'test.broken' && s.state === 'failed')
    assert.equal(
      failed.reduce((n, s) => n + s.count, 0),
      2,
    )
    assert.deepEqual(
      (await jobsOf('test.broken')).map((j) => j.state),
      ['failed'],
    )
  })

  it('lists the dead-lettered job for `policykit jobs` under its own name, with its error, and retry runs it again', async () => {
    const admin = pgBossJobsAdmin(queue, schema, store)
    // Once, by its dead letter (the copy that retry sends back), in the failed list and in the whole one.
    const failed = (await admin.list({ state: 'failed', limit: 50 })).filter((j) => j.name === 'test.broken')
    assert.equal(failed.length, 1, JSON.stringify(failed))
    assert.deepEqual(
      (await admin.list({ limit: 50 })).filter((j) => j.name === 'test.broken'),
      failed,
    )
    const [dead] = failed
    assert.ok(dead)
    assert.equal(dead.state, 'failed')
    assert.match(dead.error ?? '', /a bug/)
    assert.equal(await admin.retry('not-a-job-id'), false)
    const before = broken.length
    assert.equal(await admin.retry(dead.id), true)
    assert.ok(await until(() => broken.length > before, 10_000), 'retry ran the job again')
    assert.equal(broken.length, before + 1)
  })

  it('writes a job inside a transaction only when the transaction commits (the outbox)', async () => {
    await assert.rejects(
      store.transaction(async (trx) => {
        await queue.hold(trx, 'test.outbox', { n: 1 }, { communityId: 1, singletonKey: 'rolled-back', forMs: 60_000 })
        throw new Error('roll back')
      }),
      /roll back/,
    )
    await store.transaction(async (trx) => {
      await queue.hold(trx, 'test.outbox', { n: 2 }, { communityId: 1, singletonKey: 'committed', forMs: 60_000 })
    })
    assert.deepEqual(
      (await jobsOf('test.outbox')).map((j) => j.singleton_key),
      ['committed'],
    )
  })

  it('runs the sweep from a pg-boss schedule', async () => {
    await queue.schedule('test.sweep', 5 * 60_000)
    const schedules = await queue.boss.getSchedules('test.sweep')
    assert.deepEqual(
      schedules.map((s) => s.cron),
      ['*/5 * * * *'],
    )
  })
})
