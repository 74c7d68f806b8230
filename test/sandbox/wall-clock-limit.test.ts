import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createQuickJsSandbox } from '../../src/sandbox/quickjs-sandbox.ts'
import type { Sandbox, SandboxLimits } from '../../src/sandbox/sandbox.ts'
import { starvedAfter } from '../../src/sandbox/sandbox-thread.ts'

// The guests here are played by a stand-in worker (test/support/going-on-worker.ts), so that a
// run can go on past its wall-clock limit without its CPU limit stopping it first, as a run on a
// machine too busy to give its thread the CPU does.
describe('quickjs sandbox: the wall-clock limit and a run that is still going on', () => {
  let sandbox: Sandbox
  before(async () => {
    sandbox = await createQuickJsSandbox({
      poolSize: 1,
      workerEntry: new URL('../support/going-on-worker.ts', import.meta.url),
    })
  })
  after(() => sandbox.close())
  const wallMs = 100
  const run = (code: string, limits: Partial<SandboxLimits> = {}) =>
    sandbox.run({ block: 'check', code, limits: { wallMs, cpuMs: 50, ...limits } })

  it('lets a run that is still going on at its limit finish', async () => {
    assert.deepEqual(await run('goOn:250'), { ok: true, value: 'done' })
  })

  it("ends a run that stopped going on (stuck in QuickJS's C code) soon after its limit, as the policy's doing", async () => {
    const start = performance.now()
    const result = await run('stick:30')
    assert.ok(!result.ok)
    assert.equal(result.error.kind, 'timeout')
    assert.equal(result.error.hostBound, undefined, JSON.stringify(result))
    assert.ok(performance.now() - start < wallMs * starvedAfter, 'not kept until the starved limit')
  })

  it("ends a run still going on at five times its limit, as the server's doing", async () => {
    const result = await run('forever')
    assert.ok(!result.ok)
    assert.equal(result.error.kind, 'timeout')
    assert.equal(result.error.hostBound, true, JSON.stringify(result))
    assert.match(
      result.error.message,
      new RegExp(`not finished after ${wallMs * starvedAfter} ms of wall-clock time: the server was too busy`),
    )
  })

  it('lets no run go on when its CPU limit is not lower than its wall-clock one', async () => {
    const result = await run('goOn:250', { cpuMs: wallMs })
    assert.ok(!result.ok)
    assert.equal(result.error.kind, 'timeout')
    assert.equal(result.error.hostBound, undefined, JSON.stringify(result))
  })
})
