import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { before, describe, it } from 'node:test'
import { QuickJsRunner, type CpuClock } from '../../src/sandbox/quickjs-runner.ts'
import { defaultLimits, type SandboxResult } from '../../src/sandbox/sandbox.ts'
import type { RunMessage } from '../../src/sandbox/worker-protocol.ts'

/**
 * The CPU limit counts the CPU time the run used, not the time it took: on a machine busy
 * enough to keep the sandbox's thread waiting, a policy that would have finished in time must
 * not fail with a timeout (on a first evaluation that fails the proposal's policy over, and the
 * action may go ungoverned). The runner is driven here on this thread, with its CPU clock given.
 */
describe('the sandbox CPU limit', { timeout: 20_000 }, () => {
  let wasmModule: WebAssembly.Module
  before(async () => {
    const url = import.meta.resolve('@jitl/quickjs-wasmfile-release-sync/wasm')
    wasmModule = await WebAssembly.compile(await readFile(new URL(url)))
  })

  /** A loop that takes tens of milliseconds or more, on any machine, then returns its count. */
  const busy = 'let n = 0\nfor (let i = 0; i < 3000000; i++) n += i % 7\nreturn n > 0'

  async function runWith(cpuClock: CpuClock | undefined, code: string): Promise<SandboxResult> {
    const runner = await QuickJsRunner.create(wasmModule, 1024, { cpuClock })
    const message: RunMessage = {
      type: 'run',
      block: 'check',
      code,
      names: '[]',
      data: '{}',
      paths: '[]',
      answers: '[]',
      now: Date.now(),
      seed: 1,
      limits: { ...defaultLimits, cpuMs: 5 },
    }
    return runner.run(message, () => 'ethere are no host functions here')
  }

  it('stops a block that used its CPU time', async () => {
    const result = await runWith(undefined, busy)
    assert.deepEqual(result, {
      ok: false,
      error: { kind: 'timeout', message: 'exceeded 5 ms of CPU time', block: 'check' },
    })
  })

  it('lets a block whose thread was kept waiting run on, and finish', async () => {
    // A thread that got (almost) no CPU time while the clock went on: a starved one.
    let used = 0
    const starved: CpuClock = () => (used += 0.001)
    assert.deepEqual(await runWith(starved, busy), { ok: true, value: true })
  })

  it('still stops an endless loop on a starved thread, once its CPU time is used', async () => {
    // A fifth of the time passing, as CPU time: the budget is used after about five times as long.
    const start = performance.now()
    const fifth: CpuClock = () => (performance.now() - start) / 5
    const result = await runWith(fifth, 'for (;;) {}')
    assert.equal(result.ok ? 'ok' : result.error.kind, 'timeout')
  })
})
