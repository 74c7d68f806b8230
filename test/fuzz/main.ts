import { parseArgs } from 'node:util'
import { testDialects } from '../support/test-store.ts'
import { formatReport, fuzzRoutes, type FuzzReport } from './fuzz-routes.ts'
import { fuzzSlackWebhooks } from './fuzz-slack.ts'

/**
 * `npm run fuzz -- --runs 100000 [--seed N] [--routes]`: the fuzz tests (test/server/fuzz-routes.test.ts,
 * test/platforms/slack/webhooks-fuzz.test.ts) at any size: `--runs` requests per database spread
 * over every API route, a tenth as many to Slack's webhooks; PostgreSQL too when DATABASE_URL is
 * set. Prints the counts; exits 1 when anything broke.
 */
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '20000' },
    seed: { type: 'string' },
    /** Also print the statuses of each route. */
    routes: { type: 'boolean', default: false },
  },
})
const runs = Number(values.runs)
const seed = values.seed === undefined ? undefined : Number(values.seed)
if (!Number.isInteger(runs) || runs < 1 || (seed !== undefined && !Number.isInteger(seed))) {
  process.stderr.write('usage: npm run fuzz -- [--runs N] [--seed N] [--routes]\n')
  process.exit(2)
}

let failed = false
function print(report: FuzzReport, started: number): void {
  process.stdout.write(`${formatReport(report, performance.now() - started)}\n`)
  if (values.routes) {
    for (const [route, statuses] of Object.entries(report.byRoute)) {
      const counts = Object.entries(statuses).map(([status, count]) => `${status}×${count}`)
      process.stdout.write(`  ${route}: ${counts.join(' ')}\n`)
    }
  }
  for (const failure of report.failures) {
    process.stdout.write(`  ✖ ${failure}\n`)
  }
  failed ||= report.failures.length > 0
}
const seeded = seed === undefined ? {} : { seed }
for (const dialect of testDialects()) {
  let started = performance.now()
  print(await fuzzRoutes({ dialect, runs: { total: runs }, ...seeded }), started)
  // Slack's two endpoints get a tenth as many: their payloads are fewer shapes.
  started = performance.now()
  print(await fuzzSlackWebhooks({ dialect, runs: Math.ceil(runs / 10), ...seeded }), started)
}
process.exit(failed ? 1 : 0)
