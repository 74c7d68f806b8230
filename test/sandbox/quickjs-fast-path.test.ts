import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createQuickJsSandbox, type QuickJsSandbox } from '../../src/sandbox/quickjs-sandbox.ts'
import type { SandboxResult } from '../../src/sandbox/sandbox.ts'

function valueOf(result: SandboxResult): unknown {
  assert.ok(result.ok, `expected ok, got ${JSON.stringify(result)}`)
  return result.value
}

describe('quickjs sandbox: sync build first, asyncify on demand', () => {
  let sandbox: QuickJsSandbox
  before(async () => {
    sandbox = await createQuickJsSandbox({ poolSize: 2 })
  })
  after(() => sandbox.close())

  it('never uses the asyncify build for a run with only synchronous calls', async () => {
    const before = sandbox.stats()
    for (let i = 0; i < 5; i++) {
      const result = await sandbox.run({
        block: 'check',
        code: 'await null; return x.double(x.double(n))',
        globals: { n: i },
        functions: { 'x.double': (n) => Number(n) * 2 },
        asyncFunctions: { 'slack.postMessage': () => Promise.resolve('never called') },
        onRestart: () => assert.fail('no restart expected'),
      })
      assert.equal(valueOf(result), i * 4)
    }
    assert.deepEqual(sandbox.stats(), { syncRuns: before.syncRuns + 5, asyncRuns: before.asyncRuns })
  })

  it('restarts a run once at its first async call, before that call runs', async () => {
    const calls: string[] = []
    let restarts = 0
    const before = sandbox.stats()
    const result = await sandbox.run({
      block: 'check',
      code: `x.note('before')
        const ts = slack.postMessage('hi')
        x.note('after')
        const again = await slack.postMessage('again')
        return [ts, again]`,
      functions: { 'x.note': (text) => void calls.push(`note ${JSON.stringify(text)}`) },
      asyncFunctions: {
        'slack.postMessage': async (text) => {
          await new Promise((resolve) => setTimeout(resolve, 1))
          calls.push(`post ${JSON.stringify(text)}`)
          return `ts-${JSON.stringify(text)}`
        },
      },
      onRestart: () => {
        restarts += 1
        calls.push('restart')
      },
    })
    assert.deepEqual(valueOf(result), ['ts-"hi"', 'ts-"again"'])
    assert.equal(restarts, 1)
    assert.deepEqual(calls, ['note "before"', 'restart', 'note "before"', 'post "hi"', 'note "after"', 'post "again"'])
    assert.deepEqual(sandbox.stats(), { syncRuns: before.syncRuns, asyncRuns: before.asyncRuns + 1 })
  })

  it('gives the abandoned attempt no more host calls, even when the guest catches', async () => {
    const calls: string[] = []
    const result = await sandbox.run({
      block: 'check',
      code: `try { slack.postMessage('hi') } catch (e) {}
        for (let i = 0; i < 3; i++) x.note(i)
        return 'done'`,
      functions: { 'x.note': (n) => void calls.push(`note ${JSON.stringify(n)}`) },
      asyncFunctions: { 'slack.postMessage': () => Promise.resolve(null) },
      onRestart: () => calls.push('restart'),
    })
    assert.equal(valueOf(result), 'done')
    assert.deepEqual(calls, ['restart', 'note 0', 'note 1', 'note 2'])
  })

  it('keeps error kinds and line numbers after a restart', async () => {
    const asyncFunctions = { 'slack.postMessage': () => Promise.resolve(null) }
    const thrown = await sandbox.run({
      block: 'check',
      code: "slack.postMessage('x')\n\nthrow new Error('late')",
      asyncFunctions,
    })
    assert.deepEqual(thrown, { ok: false, error: { kind: 'runtime', message: 'late', block: 'check', line: 3 } })
    const looping = await sandbox.run({
      block: 'check',
      code: "slack.postMessage('x'); while (true) {}",
      asyncFunctions,
      limits: { cpuMs: 50 },
    })
    assert.ok(!looping.ok && looping.error.kind === 'timeout')
  })

  it('stays reusable after many abandoned attempts', async () => {
    const asyncFunctions = { 'slack.postMessage': () => Promise.resolve(1) }
    for (let i = 0; i < 20; i++) {
      const code = `Promise.resolve().then(() => x.n()); await null; return slack.postMessage() + ${i}`
      const result = await sandbox.run({ block: 'check', code, functions: { 'x.n': () => 0 }, asyncFunctions })
      assert.equal(valueOf(result), 1 + i)
    }
    assert.equal(valueOf(await sandbox.run({ block: 'check', code: 'return 2' })), 2)
  })
})
