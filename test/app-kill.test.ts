import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { runKillRounds } from '../bench/kill-rig.ts'

/**
 * The app killed with SIGKILL at random moments of a burst of deciding votes, and restarted
 * (bench/kill-rig.ts says what is checked). Sized for CI: `npm run soak:kill` runs it longer.
 * The lease is shortened to 1 s so that rounds are quick; the bound is that lease, a heartbeat
 * and room for a busy 2-core machine.
 */
const postgresUrl = process.env['DATABASE_URL']
const databases: { name: string; url?: string; rounds: number }[] = [{ name: 'sqlite', rounds: postgresUrl ? 12 : 20 }]
if (postgresUrl) {
  databases.push({ name: 'postgres', url: postgresUrl, rounds: 12 })
}

for (const database of databases) {
  describe(`${database.name}: the app killed during a vote burst`, () => {
    it(`loses no acknowledged vote, decides and executes once, executes every passed proposal after a restart (${database.rounds} rounds)`, async () => {
      const results = await runKillRounds({
        ...(database.url ? { databaseUrl: database.url } : {}),
        rounds: database.rounds,
        proposals: 5,
        leaseSeconds: 1,
        boundMs: 10_000,
      })
      assert.equal(results.length, database.rounds)
      assert.deepEqual(
        results.flatMap((r) => r.problems.map((p) => `round ${r.round}: ${p}`)),
        [],
      )
    })
  })
}
