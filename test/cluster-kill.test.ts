import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { runClusterKillRounds } from '../bench/cluster-kill-rig.ts'

/**
 * Two web processes and two workers on one PostgreSQL database (pg-boss), a worker killed with
 * SIGKILL at a random moment of each burst of deciding votes (bench/cluster-kill-rig.ts says what
 * is checked). Sized for CI; `npm run soak:cluster` runs it longer. The lease is 1 s, so the
 * takeover bound is that lease, a heartbeat (a third of it) and room for a loaded 2-core machine.
 */
const postgresUrl = process.env['DATABASE_URL']

describe('postgres: web processes and workers, a worker killed during a vote burst', { skip: !postgresUrl }, () => {
  it('loses no acknowledged vote, decides and executes once, and the other worker takes over (3 rounds, 2 web + 2 workers)', async () => {
    const results = await runClusterKillRounds({
      databaseUrl: postgresUrl ?? '',
      web: 2,
      workers: 2,
      rounds: 3,
      proposals: 5,
      leaseSeconds: 1,
      boundMs: 15_000,
    })
    assert.equal(results.length, 3)
    assert.deepEqual(
      results.flatMap((r) => r.problems.map((p) => `round ${r.round}: ${p}`)),
      [],
    )
    // Each round's proposals were fully voted, so the workers had work to take over.
    assert.ok(results.every((r) => r.fullyVoted === r.proposals))
  })
})
