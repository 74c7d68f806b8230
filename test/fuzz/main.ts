import { parseArgs } from 'node:util'
import { testDialects } from '../support/test-store.ts'
import { formatReport, fuzzRoutes } from './fuzz-routes.ts'

/**
 * `npm run fuzz -- --runs 100000 [--seed N]`: the fuzz test of test/server/fuzz-routes.test.ts
 * at any size, `--runs` requests in all per database, spread over every route; PostgreSQL too
 * when DATABASE_URL is set. Prints the counts; exits 1 when anything broke.
 */
const { values } = parseArgs({
  options: { runs: { type: 'string', default: '20000' }, seed: { type: 'string' } },
})
const runs = Number(values.runs)
const seed = values.seed === undefined ? undefined : Number(values.seed)
if (!Number.isInteger(runs) || runs < 1 || (seed !== undefined && !Number.isInteger(seed))) {
  process.stderr.write('usage: npm run fuzz -- [--runs N] [--seed N]\n')
  process.exit(2)
}

let failed = false
for (const dialect of testDialects()) {
  const started = performance.now()
  const report = await fuzzRoutes({ dialect, runs: { total: runs }, ...(seed !== undefined && { seed }) })
  process.stdout.write(`${formatReport(report, performance.now() - started)}\n`)
  for (const failure of report.failures) {
    process.stdout.write(`  ✖ ${failure}\n`)
  }
  failed ||= report.failures.length > 0
}
process.exit(failed ? 1 : 0)
