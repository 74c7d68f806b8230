import { parseArgs } from 'node:util'
import { runKillRounds, type RoundResult } from './kill-rig.ts'

/**
 * `npm run soak:kill -- --rounds 200`: the kill test, longer than CI runs it. On SQLite, and on
 * PostgreSQL too when DATABASE_URL is set. Prints one line per round and a summary per database;
 * exits 1 when any round found a problem.
 */
const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '200' },
    proposals: { type: 'string', default: '10' },
    'lease-seconds': { type: 'string', default: '5' },
    'bound-seconds': { type: 'string', default: '20' },
  },
})
const rounds = Number(values.rounds)
const proposals = Number(values.proposals)
const leaseSeconds = Number(values['lease-seconds'])
const boundMs = Number(values['bound-seconds']) * 1000
const databases: { name: string; url?: string }[] = [{ name: 'sqlite' }]
if (process.env['DATABASE_URL']) {
  databases.push({ name: 'postgres', url: process.env['DATABASE_URL'] })
}

let failed = false
for (const database of databases) {
  const results = await runKillRounds({
    ...(database.url ? { databaseUrl: database.url } : {}),
    rounds,
    proposals,
    leaseSeconds,
    boundMs,
    onRound: (r) => process.stdout.write(`${database.name} ${line(r)}\n`),
  })
  const takeover = results.map((r) => r.takeoverMs).sort((a, b) => a - b)
  const problems = results.flatMap((r) => r.problems)
  failed ||= problems.length > 0
  const summary = {
    database: database.name,
    rounds: results.length,
    proposals: results.reduce((n, r) => n + r.proposals, 0),
    fullyVoted: results.reduce((n, r) => n + r.fullyVoted, 0),
    votesAcknowledged: results.reduce((n, r) => n + r.votesAcknowledged, 0),
    leaseSeconds,
    takeoverMs: { p50: percentile(takeover, 0.5), p99: percentile(takeover, 0.99), max: takeover.at(-1) ?? 0 },
    problems,
  }
  process.stdout.write(`${JSON.stringify(summary)}\n`)
}
process.exitCode = failed ? 1 : 0

function line(r: RoundResult): string {
  return `round ${r.round}: ${r.proposals} proposals, ${r.votesAcknowledged}/${r.votesSent} votes acknowledged, killed after ${r.killedAfterMs} ms, ${r.fullyVoted} fully voted, all executed ${r.takeoverMs} ms after the restart (round: ${r.durationMs} ms)${r.problems.length > 0 ? `; PROBLEMS: ${r.problems.join('; ')}` : ''}`
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0
}
