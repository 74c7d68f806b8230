import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { formatReport } from '../../fuzz/fuzz-routes.ts'
import { fuzzSlackWebhooks } from '../../fuzz/fuzz-slack.ts'
import { testDialects } from '../../support/test-store.ts'

/** Signed requests in CI per database: a few seconds each; `npm run fuzz -- --runs N` runs more. */
const runs = 200

for (const dialect of testDialects()) {
  describe(`${dialect}: Slack's webhooks, fuzzed`, () => {
    it('answers Slack payloads with hostile values, and hostile bodies, with no 5xx and no hang, and a refused one changes nothing', async (t) => {
      const started = performance.now()
      const report = await fuzzSlackWebhooks({ dialect, runs })
      t.diagnostic(formatReport(report, performance.now() - started))
      assert.equal(report.requests, runs)
      assert.deepEqual(report.failures, [])
    })
  })
}
