// The sandbox part of `npm run bench`: a warm block on its own, a runaway block that only the
// wall-clock limit stops (QuickJS never interrupts `join` on a huge array), and /healthz of the
// real server, over HTTP, while such a block runs in it.
import { performance } from 'node:perf_hooks'
import { createQuickJsSandbox } from '../src/sandbox/quickjs-sandbox.ts'
import { createTestApp } from '../test/support/server-harness.ts'

export interface SandboxFigures {
  /**
   * One warm run of the bench's check block, median, as the engine calls it: its vote query
   * answered inside the sandbox (the engine hands the answers of the argument-less vote queries
   * over with the run).
   */
  sandbox_block_ms: number
  /** The same block when its vote query is a host call (made with arguments, say). */
  sandbox_block_host_call_ms: number
  /** The `join` line: from its start until the pool has served the next block. */
  runaway_stop_ms: number
  /** Of which: from its start until it was reported as a timeout (the worker terminated). */
  runaway_timeout_ms: number
  /** Of which: from the timeout until a replacement worker had run the next block. */
  runaway_replacement_ms: number
  healthz_p99_during_runaway_ms: number
}

const runaway = "return new Array(2 ** 32 - 1).join('x').length"

const check = `const yes = proposal.getYesVotes().length
if (yes >= 3) return PASSED
return PROPOSED`

function quantile(samples: number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN
}

async function blockPart(runs: number, answered: boolean): Promise<number> {
  const sandbox = await createQuickJsSandbox({ poolSize: 2 })
  const votes = [{ memberId: 1, kind: 'boolean', value: true, castAt: 0 }]
  const samples: number[] = []
  try {
    for (let i = 0; i < runs + 200; i++) {
      const started = performance.now()
      const result = await sandbox.run({
        block: 'check',
        code: check,
        globals: {
          PASSED: 'passed',
          FAILED: 'failed',
          PROPOSED: 'proposed',
          action: { id: i, type: 'test.post', text: `action ${i}` },
          proposal: { id: i, status: 'proposed' },
          variables: {},
        },
        functions: { 'proposal.getYesVotes': () => votes },
        ...(answered && { answers: { 'proposal.getYesVotes': { '[]': votes } } }),
        now: Date.now(),
        randomSeed: i,
      })
      if (!result.ok || result.value !== 'proposed') {
        throw new Error(`bench: the check block gave ${JSON.stringify(result)}`)
      }
      if (i >= 200) {
        samples.push(performance.now() - started) // the first 200 warm up
      }
    }
  } finally {
    await sandbox.close()
  }
  return quantile(samples, 0.5)
}

/** One worker, so that serving again needs the replacement. */
async function runawayPart(): Promise<
  Pick<SandboxFigures, 'runaway_stop_ms' | 'runaway_timeout_ms' | 'runaway_replacement_ms'>
> {
  const sandbox = await createQuickJsSandbox({ poolSize: 1 })
  try {
    await sandbox.run({ block: 'check', code: 'return 1' })
    const started = performance.now()
    const stopped = await sandbox.run({ block: 'check', code: runaway })
    const timedOut = performance.now()
    if (stopped.ok || stopped.error.kind !== 'timeout') {
      throw new Error(`bench: the runaway block gave ${JSON.stringify(stopped)}`)
    }
    const next = await sandbox.run({ block: 'check', code: 'return 1' })
    const served = performance.now()
    if (!next.ok) {
      throw new Error(`bench: the block after the runaway gave ${JSON.stringify(next)}`)
    }
    return {
      runaway_stop_ms: served - started,
      runaway_timeout_ms: timedOut - started,
      runaway_replacement_ms: served - timedOut,
    }
  } finally {
    await sandbox.close()
  }
}

async function healthzPart(): Promise<number> {
  const t = await createTestApp()
  try {
    await t.app.listen({ host: '127.0.0.1', port: 0 })
    const address = t.app.server.address()
    if (address === null || typeof address !== 'object') {
      throw new Error('bench: the server has no address')
    }
    const url = `http://127.0.0.1:${address.port}/healthz`
    await (await fetch(url)).arrayBuffer()
    let running = true
    const run = t.deps.sandbox.run({ block: 'filter', code: runaway }).finally(() => (running = false))
    const samples: number[] = []
    while (running) {
      const started = performance.now()
      const res = await fetch(url)
      await res.arrayBuffer()
      if (running) {
        samples.push(performance.now() - started)
      }
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    await run
    return quantile(samples, 0.99)
  } finally {
    await t.close()
  }
}

export async function sandboxPart(runs: number): Promise<SandboxFigures> {
  const block = await blockPart(runs, true)
  const hostCall = await blockPart(runs, false)
  const stop = await runawayPart()
  const healthz = await healthzPart()
  return {
    sandbox_block_ms: block,
    sandbox_block_host_call_ms: hostCall,
    ...stop,
    healthz_p99_during_runaway_ms: healthz,
  }
}
