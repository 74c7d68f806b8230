import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { describe, it } from 'node:test'

const bench = path.resolve(import.meta.dirname, '..', '..', 'bench', 'run.ts')

// Not a timing test: the benchmark's figures are never asserted. This only keeps `npm run bench`
// runnable as the engine changes (it once stopped at a vote the engine newly refused).
describe('npm run bench', () => {
  it('runs end to end on a small workload and prints every figure', () => {
    const run = spawnSync(
      process.execPath,
      [bench, '--json', '--n', '20', '--pending', '200', '--slack-n', '5', '--discord-n', '5'],
      {
        encoding: 'utf8',
        env: { ...process.env, DATABASE_URL: '' },
        timeout: 120_000,
      },
    )
    assert.equal(run.status, 0, run.stderr)
    const figures = JSON.parse(run.stdout) as Record<string, unknown>
    for (const key of [
      'first_eval_ms_per_action',
      'recheck_ms_per_proposal',
      'floor_ms_per_action',
      'vote_to_decision_p50_ms',
      'vote_to_decision_p99_ms',
      'rss_mib_10k_pending',
      'slack_message_to_revert_p50_ms',
      'slack_message_to_revert_p99_ms',
      'slack_vote_to_repost_p50_ms',
      'slack_vote_to_repost_p99_ms',
      'slack_events_per_s',
      'slack_retried_events_per_s',
      'discord_message_to_revert_p50_ms',
      'discord_message_to_revert_p99_ms',
      'discord_vote_to_repost_p50_ms',
      'discord_vote_to_repost_p99_ms',
      'sandbox_block_ms',
      'runaway_stop_ms',
      'runaway_timeout_ms',
      'runaway_replacement_ms',
      'healthz_p99_during_runaway_ms',
    ]) {
      assert.equal(typeof figures[key], 'number', `${key} in ${run.stdout}`)
      assert.ok(Number.isFinite(figures[key]), key)
    }
    assert.equal(figures['database'], 'sqlite')
  })
})
