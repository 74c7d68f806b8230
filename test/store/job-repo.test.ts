import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { Kysely, PostgresDialect, sql } from 'kysely'
import pg from 'pg'
import type { Database } from '../../src/store/database.ts'
import { createJobRepo } from '../../src/store/job-repo.ts'
import type { JobInput, JobRepo } from '../../src/store/jobs.ts'
import type { Store } from '../../src/store/store.ts'
import { openTestStore, testDialects } from '../support/test-store.ts'
import { Prepared } from '../../src/store/prepared.ts'

const t0 = Date.UTC(2026, 0, 1)
const lease = 30_000

function job(overrides: Partial<JobInput> = {}): JobInput {
  return {
    communityId: null,
    name: 'work',
    payload: {},
    runAt: t0,
    now: t0,
    ...overrides,
  }
}

/** A second connection pool on the same PostgreSQL schema: another process, as far as locks go. */
async function secondPool(store: Store): Promise<{ jobs: JobRepo; close: () => Promise<void> }> {
  const url = process.env['DATABASE_URL']
  if (!url) {
    throw new Error('DATABASE_URL is not set')
  }
  const { rows } = await sql<{
    schema: string
  }>`select current_schema() as schema`.execute(store.db)
  const schema = rows[0]?.schema
  if (!schema) {
    throw new Error('no current schema')
  }
  // No int8 type parser on purpose: the repo must cope with bigint columns read back as text.
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({
      pool: new pg.Pool({
        connectionString: url,
        options: `-c search_path=${schema}`,
      }),
    }),
  })
  return { jobs: createJobRepo(db, 'postgres', new Prepared(db, 'postgres')), close: () => db.destroy() }
}

for (const dialect of testDialects()) {
  describe(`${dialect}: jobs`, () => {
    let store: Store
    let jobs: JobRepo
    beforeEach(async () => {
      store = await openTestStore(dialect)
      jobs = store.jobs
    })
    afterEach(() => store.close())

    it('enqueues a queued job with defaults', async () => {
      const community = await store.communities.create({ name: 'C', now: t0 })
      const queued = await jobs.enqueue(
        job({
          communityId: community.id,
          payload: { a: [1, 'x'] },
          runAt: t0 + 5,
        }),
      )
      assert.ok(queued)
      assert.deepEqual(
        { ...queued, id: 0 },
        {
          id: 0,
          communityId: community.id,
          name: 'work',
          payload: { a: [1, 'x'] },
          singletonKey: null,
          state: 'queued',
          runAt: t0 + 5,
          attempts: 0,
          maxAttempts: 10,
          lastError: null,
        },
      )
      assert.deepEqual(await jobs.list(), [queued])
    })

    it('claims due jobs in run_at, id order and marks them running', async () => {
      const late = await jobs.enqueue(job({ runAt: t0 + 10 }))
      const first = await jobs.enqueue(job({ runAt: t0 - 10 }))
      const second = await jobs.enqueue(job({ runAt: t0 - 10 }))
      await jobs.enqueue(job({ runAt: t0 + 1000 }))
      const claimed = await jobs.claim({
        now: t0 + 10,
        workerId: 'w1',
        leaseMs: lease,
        limit: 10,
      })
      assert.deepEqual(
        claimed.map((j) => j.id),
        [first?.id, second?.id, late?.id],
      )
      assert.ok(claimed.every((j) => j.state === 'running' && j.attempts === 1))
      assert.deepEqual(
        await jobs.claim({
          now: t0 + 10,
          workerId: 'w2',
          leaseMs: lease,
          limit: 10,
        }),
        [],
      )
      assert.equal((await jobs.list({ state: 'running' })).length, 3)
    })

    it('claims at most the limit, and only the names asked for', async () => {
      await jobs.enqueue(job({ name: 'a' }))
      await jobs.enqueue(job({ name: 'b' }))
      await jobs.enqueue(job({ name: 'b' }))
      await jobs.enqueue(job({ name: 'b' }))
      assert.deepEqual(
        await jobs.claim({
          now: t0,
          workerId: 'w',
          leaseMs: lease,
          limit: 5,
          names: [],
        }),
        [],
      )
      const bs = await jobs.claim({
        now: t0,
        workerId: 'w',
        leaseMs: lease,
        limit: 2,
        names: ['b'],
      })
      assert.deepEqual(
        bs.map((j) => j.name),
        ['b', 'b'],
      )
      const rest = await jobs.claim({
        now: t0,
        workerId: 'w',
        leaseMs: lease,
        limit: 5,
        names: ['b'],
      })
      assert.equal(rest.length, 1)
      assert.deepEqual(
        (await jobs.list({ state: 'queued' })).map((j) => j.name),
        ['a'],
      )
    })

    it('completes a job only for the worker holding it', async () => {
      await jobs.enqueue(job())
      const [claimed] = await jobs.claim({
        now: t0,
        workerId: 'w1',
        leaseMs: lease,
        limit: 1,
      })
      assert.ok(claimed)
      await jobs.complete(claimed.id, 'w2', t0)
      assert.equal((await jobs.list({ state: 'running' })).length, 1)
      await jobs.complete(claimed.id, 'w1', t0)
      assert.deepEqual(await jobs.list(), [])
    })

    it('re-queues a failed job at retryAt with its error, or ends it in failed', async () => {
      await jobs.enqueue(job())
      const [claimed] = await jobs.claim({
        now: t0,
        workerId: 'w1',
        leaseMs: lease,
        limit: 1,
      })
      assert.ok(claimed)
      await jobs.fail(claimed.id, 'w1', 'platform_unavailable: down', t0 + 2000, t0)
      const [retry] = await jobs.list()
      assert.equal(retry?.state, 'queued')
      assert.equal(retry.runAt, t0 + 2000)
      assert.equal(retry.lastError, 'platform_unavailable: down')
      assert.equal(await jobs.nextRunAt(), t0 + 2000)
      assert.deepEqual(
        await jobs.claim({
          now: t0 + 1999,
          workerId: 'w1',
          leaseMs: lease,
          limit: 1,
        }),
        [],
      )

      const [again] = await jobs.claim({
        now: t0 + 2000,
        workerId: 'w2',
        leaseMs: lease,
        limit: 1,
      })
      assert.equal(again?.attempts, 2)
      await jobs.fail(claimed.id, 'w2', 'Error: bug', null, t0 + 2000)
      const [failed] = await jobs.list()
      assert.equal(failed?.state, 'failed')
      assert.equal(failed.lastError, 'Error: bug')
      assert.deepEqual(
        await jobs.claim({
          now: t0 + 10 ** 9,
          workerId: 'w3',
          leaseMs: lease,
          limit: 1,
        }),
        [],
      )
      assert.equal(await jobs.nextRunAt(), undefined)
    })

    it('ignores complete and fail from a worker whose lease was taken over', async () => {
      await jobs.enqueue(job())
      await jobs.claim({ now: t0, workerId: 'slow', leaseMs: lease, limit: 1 })
      const [taken] = await jobs.claim({
        now: t0 + lease + 1,
        workerId: 'fast',
        leaseMs: lease,
        limit: 1,
      })
      assert.ok(taken)
      await jobs.fail(taken.id, 'slow', 'late', null, t0 + lease + 2)
      await jobs.fail(taken.id, 'slow', 'late', t0 + lease + 5, t0 + lease + 2)
      await jobs.complete(taken.id, 'slow', t0 + lease + 2)
      const [row] = await jobs.list()
      assert.equal(row?.state, 'running')
      assert.equal(row.lastError, null)
    })

    it('gives a crashed worker’s jobs to another worker once the lease ends', async () => {
      await jobs.enqueue(job())
      await jobs.claim({
        now: t0,
        workerId: 'crashed',
        leaseMs: lease,
        limit: 1,
      })
      assert.deepEqual(
        await jobs.claim({
          now: t0 + lease,
          workerId: 'w2',
          leaseMs: lease,
          limit: 1,
        }),
        [],
      )
      const [reclaimed] = await jobs.claim({
        now: t0 + lease + 1,
        workerId: 'w2',
        leaseMs: lease,
        limit: 1,
      })
      assert.equal(reclaimed?.attempts, 2)
      assert.equal(reclaimed.state, 'running')
    })

    it('reports the earliest queued run_at', async () => {
      assert.equal(await jobs.nextRunAt(), undefined)
      await jobs.enqueue(job({ runAt: t0 + 50 }))
      await jobs.enqueue(job({ runAt: t0 + 20 }))
      assert.equal(await jobs.nextRunAt(), t0 + 20)
      await jobs.claim({
        now: t0 + 20,
        workerId: 'w',
        leaseMs: lease,
        limit: 1,
      })
      assert.equal(await jobs.nextRunAt(), t0 + 50)
    })

    it('lists by state and name, up to a limit', async () => {
      await jobs.enqueue(job({ name: 'a' }))
      await jobs.enqueue(job({ name: 'b' }))
      await jobs.enqueue(job({ name: 'b', runAt: t0 + 1 }))
      await jobs.claim({
        now: t0,
        workerId: 'w',
        leaseMs: lease,
        limit: 5,
        names: ['b'],
      })
      assert.deepEqual(
        (await jobs.list({ name: 'b' })).map((j) => j.state),
        ['running', 'queued'],
      )
      assert.deepEqual(
        (await jobs.list({ state: 'queued' })).map((j) => j.name),
        ['a', 'b'],
      )
      assert.equal((await jobs.list({ limit: 1 })).length, 1)
    })

    describe('singleton keys', () => {
      it('keeps one queued job per key; asking sooner moves it up, later does not', async () => {
        const first = await jobs.enqueue(job({ singletonKey: 'k', runAt: t0 + 100 }))
        assert.ok(first)
        assert.equal(await jobs.enqueue(job({ singletonKey: 'k', runAt: t0 + 500 })), null)
        assert.equal((await jobs.list())[0]?.runAt, t0 + 100)
        assert.equal(await jobs.enqueue(job({ singletonKey: 'k', runAt: t0 + 10 })), null)
        assert.deepEqual(
          (await jobs.list()).map((j) => [j.id, j.runAt]),
          [[first.id, t0 + 10]],
        )
        assert.ok(await jobs.enqueue(job({ singletonKey: 'other' })))
      })

      it('accepts a new job with the key while the earlier one runs or after it failed', async () => {
        await jobs.enqueue(job({ singletonKey: 'k' }))
        const [running] = await jobs.claim({
          now: t0,
          workerId: 'w',
          leaseMs: lease,
          limit: 1,
        })
        assert.ok(running)
        assert.ok(await jobs.enqueue(job({ singletonKey: 'k' })))
        await jobs.fail(running.id, 'w', 'bug', null, t0)
        assert.deepEqual(
          (await jobs.list()).map((j) => j.state),
          ['failed', 'queued'],
        )
      })

      it('lets exactly one of many concurrent enqueues through', async () => {
        const results = await Promise.all(Array.from({ length: 10 }, () => jobs.enqueue(job({ singletonKey: 'race' }))))
        assert.equal(results.filter((r) => r !== null).length, 1)
        assert.equal((await jobs.list()).length, 1)
      })

      it('merges a retry into the job queued with its key while it ran', async () => {
        await jobs.enqueue(job({ singletonKey: 'k' }))
        const [running] = await jobs.claim({
          now: t0,
          workerId: 'w',
          leaseMs: lease,
          limit: 1,
        })
        assert.ok(running)
        const queued = await jobs.enqueue(job({ singletonKey: 'k', runAt: t0 + 10_000 }))
        assert.ok(queued)
        await jobs.fail(running.id, 'w', 'platform_unavailable: down', t0 + 4000, t0 + 1)
        const rows = await jobs.list()
        assert.deepEqual(
          rows.map((j) => [j.id, j.state, j.runAt, j.attempts, j.lastError]),
          [[queued.id, 'queued', t0 + 4000, 0, 'platform_unavailable: down']],
        )
      })

      it('keeps the queued job’s earlier time when the retry would be later', async () => {
        await jobs.enqueue(job({ singletonKey: 'k' }))
        const [running] = await jobs.claim({
          now: t0,
          workerId: 'w',
          leaseMs: lease,
          limit: 1,
        })
        assert.ok(running)
        await jobs.enqueue(job({ singletonKey: 'k', runAt: t0 + 10 }))
        await jobs.fail(running.id, 'w', 'down', t0 + 60_000, t0 + 1)
        assert.deepEqual(
          (await jobs.list()).map((j) => [j.state, j.runAt]),
          [['queued', t0 + 10]],
        )
      })
    })

    it('never hands one job to two concurrent claims', async () => {
      for (let i = 0; i < 30; i++) {
        await jobs.enqueue(job())
      }
      const claims = await Promise.all(
        Array.from({ length: 12 }, (_, i) => jobs.claim({ now: t0, workerId: `w${i}`, leaseMs: lease, limit: 4 })),
      )
      const ids = claims.flat().map((j) => j.id)
      assert.equal(new Set(ids).size, ids.length)
      const running = await jobs.list({ state: 'running' })
      assert.equal(running.length, ids.length)
      // SKIP LOCKED may leave rows for later claims, but nothing is lost.
      const rest = await jobs.claim({
        now: t0,
        workerId: 'last',
        leaseMs: lease,
        limit: 100,
      })
      assert.equal(ids.length + rest.length, 30)
    })

    if (dialect === 'postgres') {
      it('never hands one job to two processes (separate pools)', async () => {
        const other = await secondPool(store)
        try {
          for (let i = 0; i < 40; i++) {
            await jobs.enqueue(job())
          }
          const claims = await Promise.all(
            Array.from({ length: 16 }, (_, i) =>
              (i % 2 ? other.jobs : jobs).claim({
                now: t0,
                workerId: `w${i}`,
                leaseMs: lease,
                limit: 3,
              }),
            ),
          )
          const ids = claims.flat().map((j) => j.id)
          assert.equal(new Set(ids).size, ids.length)
          assert.ok(ids.length > 0)
          assert.equal((await other.jobs.list({ state: 'running', limit: 100 })).length, ids.length)
          const singles = await Promise.all(
            Array.from({ length: 8 }, (_, i) => (i % 2 ? other.jobs : jobs).enqueue(job({ singletonKey: 'p' }))),
          )
          assert.equal(singles.filter((s) => s !== null).length, 1)
        } finally {
          await other.close()
        }
      })
    }
  })
}
