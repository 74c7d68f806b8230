import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { embeddedJobsAdmin, runJobsCommand } from '../../src/cli/jobs-command.ts'
import { openTestStore } from '../support/test-store.ts'

function capture(): { out: string; err: string; io: { out(t: string): void; err(t: string): void } } {
  const result = {
    out: '',
    err: '',
    io: {
      out: (t: string) => {
        result.out += t
      },
      err: (t: string) => {
        result.err += t
      },
    },
  }
  return result
}

describe('policykit jobs (the embedded queue)', () => {
  it('lists failed jobs with their error, and retry queues one to run again now', async () => {
    const store = await openTestStore('sqlite')
    const job = await store.jobs.enqueue({
      communityId: null,
      name: 'action.perform',
      payload: { a: 1 },
      runAt: 1,
      now: 1,
    })
    assert.ok(job)
    const [claimed] = await store.jobs.claim({ now: 2, workerId: 'w', leaseMs: 1000, limit: 1 })
    assert.ok(claimed)
    await store.jobs.fail(claimed.id, 'w', 'platform_rejected: no such channel', null, 3)
    assert.deepEqual(await store.jobs.stats(), [{ name: 'action.perform', state: 'failed', count: 1, oldestRunAt: 1 }])
    const open = () => Promise.resolve({ ...embeddedJobsAdmin(store, () => 10), close: () => Promise.resolve() })

    const listed = capture()
    assert.equal(await runJobsCommand(['list', '--state', 'failed'], listed.io, open), 0)
    assert.match(
      listed.out,
      new RegExp(`^${job.id}\\taction.perform\\tfailed\\tattempt 1\\t.*\\tplatform_rejected: no such channel\\n$`),
    )

    const retried = capture()
    assert.equal(await runJobsCommand(['retry', String(job.id)], retried.io, open), 0)
    const [queued] = await store.jobs.list({ state: 'queued' })
    assert.equal(queued?.id, job.id)
    assert.equal(queued?.runAt, 10)
    assert.equal(queued?.attempts, 0)

    const again = capture()
    assert.equal(await runJobsCommand(['retry', String(job.id)], again.io, open), 1)
    assert.match(again.err, /no failed job/)
    await store.close()
  })

  it('refuses a malformed command with its usage', async () => {
    const result = capture()
    assert.equal(
      await runJobsCommand(['list', '--state', 'done'], result.io, () => Promise.reject(new Error('not opened'))),
      2,
    )
    assert.match(result.err, /usage: policykit jobs list/)
  })
})
