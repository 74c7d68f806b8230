import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { formatReport, fuzzRoutes } from '../fuzz/fuzz-routes.ts'
import { testDialects } from '../support/test-store.ts'

/**
 * Requests per route in CI: 1,110 per database over the 37 routes, 10 to 30 s (SQLite) and 20 to
 * 60 s (PostgreSQL) on this 2-core machine, idle to busy. `npm run fuzz -- --runs 100000` runs the
 * same at any size.
 */
const runsPerRoute = 30

for (const dialect of testDialects()) {
  describe(`${dialect}: every route of the OpenAPI document, fuzzed`, () => {
    it('answers malformed requests with no 5xx and no hang, and a refused one changes nothing', async (t) => {
      const started = performance.now()
      const report = await fuzzRoutes({ dialect, runs: { perRoute: runsPerRoute } })
      t.diagnostic(formatReport(report, performance.now() - started))
      assert.ok(report.routes >= 30, `the OpenAPI document lists ${report.routes} routes`)
      assert.deepEqual(report.failures, [])
      assert.ok(report.requests >= report.routes * runsPerRoute)
    })
  })
}
