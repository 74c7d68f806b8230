import { parseArgs } from 'node:util'
import { runClusterKillRounds } from './cluster-kill-rig.ts'

/**
 * `npm run soak:cluster -- --rounds 100`: the multi-process kill test (web processes and
 * workers on PostgreSQL, a worker SIGKILLed each round) longer than CI runs it. Needs
 * DATABASE_URL. One line per round, then a summary; exits 1 when any round found a problem.
 */
const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '100' },
    proposals: { type: 'string', default: '10' },
    web: { type: 'string', default: '2' },
    workers: { type: 'string', default: '2' },
    'lease-seconds': { type: 'string', default: '5' },
    'bound-seconds': { type: 'string', default: '30' },
  },
})
const databaseUrl = process.env['DATABASE_URL']
if (!databaseUrl) {
  process.stderr.write('soak:cluster needs DATABASE_URL\n')
  process.exit(2)
}
const results = await runClusterKillRounds({
  databaseUrl,
  rounds: Number(values.rounds),
  proposals: Number(values.proposals),
  web: Number(values.web),
  workers: Number(values.workers),
  leaseSeconds: Number(values['lease-seconds']),
  boundMs: Number(values['bound-seconds']) * 1000,
  onRound: (r) =>
    process.stdout.write(
      `round ${r.round}: ${r.votesAcknowledged}/${r.votesSent} votes acknowledged, worker killed after ${r.killedAfterMs} ms, ${r.fullyVoted}/${r.proposals} fully voted, all executed ${r.takeoverMs} ms after the burst${r.problems.length > 0 ? `; PROBLEMS: ${r.problems.join('; ')}` : ''}\n`,
    ),
})
const takeover = results.map((r) => r.takeoverMs).sort((a, b) => a - b)
const problems = results.flatMap((r) => r.problems)
const at = (p: number) => takeover[Math.min(takeover.length - 1, Math.floor(p * takeover.length))] ?? 0
process.stdout.write(
  `${JSON.stringify({ rounds: results.length, takeoverMs: { p50: at(0.5), p99: at(0.99), max: takeover.at(-1) ?? 0 }, problems })}\n`,
)
process.exitCode = problems.length > 0 ? 1 : 0
