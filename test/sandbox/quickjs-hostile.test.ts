import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createQuickJsSandbox } from '../../src/sandbox/quickjs-sandbox.ts'
import type { Sandbox, SandboxErrorKind, SandboxResult } from '../../src/sandbox/sandbox.ts'

function kindOf(result: SandboxResult): SandboxErrorKind {
  assert.ok(!result.ok, `expected an error, got ${JSON.stringify(result)}`)
  return result.error.kind
}

{
  describe('quickjs sandbox: hostile code', () => {
    let sandbox: Sandbox
    const functions = { 'proposal.getYesVotes': () => 3 }
    const asyncFunctions = {
      'slack.postMessage': (text: unknown) => Promise.resolve(`posted ${JSON.stringify(text)}`),
      'x.hang': () => new Promise<null>(() => {}),
    }
    const run = (code: string, limits = {}) => sandbox.run({ block: 'check', code, functions, asyncFunctions, limits })

    before(async () => {
      sandbox = await createQuickJsSandbox({
        poolSize: 2,
        limits: { cpuMs: 150 },
      })
    })
    after(() => sandbox.close())

    /** After every hostile case the same sandbox still answers correctly. */
    async function stillHealthy(): Promise<void> {
      const result = await run('return slack.postMessage("ok") + ":" + (1 + 1)')
      assert.deepEqual(result, { ok: true, value: 'posted "ok":2' })
    }

    describe('escapes', () => {
      const probes: Array<[string, string]> = [
        [
          'no process, require or timers',
          'return [typeof process, typeof require, typeof module, typeof setTimeout, typeof setInterval, typeof queueMicrotask, typeof fetch, typeof std, typeof os]',
        ],
        [
          'Function constructor reaches only the guest',
          'return this?.constructor?.constructor ?? Function("return typeof process")()',
        ],
        [
          'constructor walk from a value',
          'return ({}).constructor.constructor("return typeof process + typeof require")()',
        ],
        [
          'host function reflection',
          'const f = slack.postMessage; return [f.constructor === Function, f.constructor("return typeof process")(), Object.getPrototypeOf(f) === Function.prototype, Object.getOwnPropertyNames(f).sort().join()]',
        ],
        [
          'caller and arguments are poisoned',
          'const read = (k) => { try { return String(slack.postMessage[k]) } catch (e) { return e.name } }; return [read("caller"), read("arguments")]',
        ],
        [
          'prototype walk finds nothing host-like',
          'let o = slack; const seen = []; while (o) { seen.push(Object.getOwnPropertyNames(o).length); o = Object.getPrototypeOf(o) } return seen.length',
        ],
      ]
      for (const [name, code] of probes) {
        it(name, async () => {
          const result = await run(code)
          assert.ok(result.ok, JSON.stringify(result))
          assert.doesNotMatch(JSON.stringify(result.value), /object|function(?!s)|host/i)
        })
      }

      it('exposes nothing host-like on globalThis (run names are parameters)', async () => {
        const result = await run('return Object.getOwnPropertyNames(globalThis).filter(k => !/^[A-Z]/.test(k)).sort()')
        assert.ok(result.ok)
        assert.deepEqual(result.value, [
          'decodeURI',
          'decodeURIComponent',
          'encodeURI',
          'encodeURIComponent',
          'escape',
          'eval',
          'globalThis',
          'isFinite',
          'isNaN',
          'parseFloat',
          'parseInt',
          'undefined',
          'unescape',
        ])
      })

      it('fails dynamic import and static import cleanly', async () => {
        assert.equal(kindOf(await run('return await import("fs")')), 'runtime')
        assert.equal(kindOf(await run('import fs from "fs"')), 'syntax')
        await stillHealthy()
      })

      it('refuses to return functions, symbols, bigints and cycles', async () => {
        for (const code of [
          'return () => 1',
          'return Symbol("s")',
          'return 1n',
          'const a = {}; a.self = a; return a',
        ]) {
          assert.equal(kindOf(await run(code)), 'runtime', code)
        }
        const nested = await run('return { f() {}, s: Symbol("s"), n: 1 }')
        assert.deepEqual(nested, { ok: true, value: { n: 1 } })
      })

      it('runs getters of returned objects inside the guest', async () => {
        const result = await run('return { get x() { throw new Error("from getter") } }')
        assert.ok(!result.ok)
        assert.equal(result.error.message, 'from getter')
        const looping = await run('return { toJSON() { while (true) {} } }')
        assert.equal(kindOf(looping), 'timeout')
        await stillHealthy()
      })

      it('cannot escape its function body to leave state behind', async () => {
        const escape = await run('}); globalThis.stay = 1; let left = 1; (async function(){')
        assert.equal(escape.ok, false)
        const probe = await run('return [typeof stay, typeof left]')
        assert.deepEqual(probe, { ok: true, value: ['undefined', 'undefined'] })
      })
    })

    describe('limits', () => {
      it('stops an infinite loop', async () => {
        assert.equal(kindOf(await run('while (true) {}')), 'timeout')
        await stillHealthy()
      })

      it('stops endless promise jobs and loops inside them', async () => {
        const chain = 'Promise.resolve().then(function f() { return Promise.resolve().then(f) }); return 1'
        assert.equal(kindOf(await run(chain)), 'timeout')
        assert.equal(kindOf(await run('await Promise.resolve().then(() => { for (;;) {} })')), 'timeout')
        await stillHealthy()
      })

      it('stops a catastrophic regular expression', async () => {
        assert.equal(kindOf(await run('return /(a+)+$/.test("a".repeat(40) + "b")')), 'timeout')
        await stillHealthy()
      })

      it('contains memory bombs and keeps the process small', async () => {
        const bombs = [
          'const a = []; while (true) a.push("item" + a.length)',
          'let s = "x"; while (true) s = s + s',
          'const a = []; while (true) a.push(new Array(100000).fill(1.5))',
          'const m = new Map(); for (let i = 0; ; i++) m.set(i, { i })',
          'const o = {}; for (let i = 0; ; i++) o["k" + i] = [i]',
          'return new Uint8Array(1e9).length',
        ]
        for (const code of bombs) {
          const result = await run(code, {
            cpuMs: 2000,
            wallMs: 10_000,
            memoryBytes: 16 * 1024 * 1024,
          })
          assert.equal(result.ok, false, code)
          await stillHealthy()
        }
        const big = await run('const a = []; while (true) a.push(new Array(100000).fill(1.5))', {
          cpuMs: 5000,
          wallMs: 10_000,
        })
        assert.equal(kindOf(big), 'memory')
        assert.ok(process.memoryUsage().rss < 1024 * 1024 * 1024, 'rss stays under 1 GiB')
        await stillHealthy()
      })

      it('stops deep recursion', async () => {
        assert.equal(kindOf(await run('function f(n) { return f(n + 1) + 1 } return f(0)')), 'stack')
        await stillHealthy()
      })

      it('enforces the host-call budget even when the guest catches it', async () => {
        const flood = 'for (let i = 0; i < 5000; i++) proposal.getYesVotes()'
        assert.equal(kindOf(await run(flood, { hostCalls: 100 })), 'host_call_budget')
        const caught = `try { ${flood} } catch (e) {} return 'fine'`
        assert.equal(kindOf(await run(caught, { hostCalls: 100 })), 'host_call_budget')
        assert.ok((await run('return proposal.getYesVotes()', { hostCalls: 1 })).ok)
        await stillHealthy()
      })

      it('times out a host call that never returns and replaces the instance', async () => {
        const result = await run('return x.hang()', { wallMs: 100 })
        assert.ok(!result.ok)
        assert.equal(result.error.kind, 'timeout')
        await stillHealthy()
        const again = await Promise.all([run('return x.hang()', { wallMs: 50 }), stillHealthy()])
        assert.equal(kindOf(again[0]), 'timeout')
        await stillHealthy()
      })
    })
  })
}

/**
 * Code that QuickJS's interrupt handler never stops (C loops that do not poll it) or that ends
 * only when memory runs out: each is stopped, the pool's worker replaced when it was killed, and
 * a plain block runs normally afterwards. A lower wall-clock limit than the default keeps it fast.
 */
export const runaways: Array<[string, string]> = [
  ['join of a huge sparse array', "return new Array(2 ** 32 - 1).join('x').length"],
  ['split of a huge string', "return 'x'.repeat(2 ** 28).split('').length"],
  ['fill of a huge array', 'return Array(1e9).fill(0).length'],
  ['Array.from a huge length', 'return Array.from({ length: 1e8 }).length'],
  ['huge JSON.stringify', 'return JSON.stringify(new Array(2 ** 31 - 1)).length'],
  [
    'large sort with a hostile comparator',
    'const a = Array.from({ length: 1e5 }, (_, i) => i); a.sort(() => { for (;;) {} })',
  ],
  ['padEnd with a huge length', "return 'x'.padEnd(2 ** 30 - 1, 'ab').length"],
  ['indexOf over a huge array-like', 'return Array.prototype.indexOf.call({ length: 2 ** 53 - 1 }, 1)'],
  ['reverse of a huge array-like', 'return Array.prototype.reverse.call({ length: 2 ** 32 - 1 }).length'],
  ['catastrophic regular expression', "return /(a+)+$/.test('a'.repeat(40) + 'b')"],
  ['memory bomb', 'const a = []; while (true) a.push(new Array(100000).fill(1.5))'],
  ['deep recursion', 'function f(n) { return f(n + 1) + 1 } return f(0)'],
  ['infinite loop in promise jobs', 'await Promise.resolve().then(() => { for (;;) {} })'],
]

describe('quickjs sandbox: runaways that only the wall-clock limit or memory stops', () => {
  let sandbox: Sandbox
  before(async () => {
    sandbox = await createQuickJsSandbox({ poolSize: 3, limits: { wallMs: 400, cpuMs: 200 } })
  })
  after(() => sandbox.close())

  it('stops each of them and serves plain blocks afterwards', async () => {
    const results = await Promise.all(runaways.map(([, code]) => sandbox.run({ block: 'check', code })))
    results.forEach((result, i) => {
      const [name] = runaways[i] ?? []
      assert.ok(!result.ok, `${name}: ${JSON.stringify(result)}`)
      assert.ok(['timeout', 'memory', 'stack'].includes(result.error.kind), `${name}: ${JSON.stringify(result)}`)
      assert.equal(result.error.block, 'check')
      assert.equal(result.error.hostBound, undefined, `${name}: the policy's own doing, not the server's`)
    })
    const plain = await Promise.all(
      [1, 2, 3].map((n) => sandbox.run({ block: 'check', code: 'return n * 2', globals: { n } })),
    )
    assert.deepEqual(
      plain,
      [2, 4, 6].map((value) => ({ ok: true, value })),
    )
  })

  it("tells a run that timed out waiting on a slow host call from the policy's own runaway", async () => {
    let slow: NodeJS.Timeout | undefined
    const result = await sandbox.run({
      block: 'notify',
      code: 'db.read()\nreturn 1',
      functions: {
        // Answers only well after the run's wall-clock limit, as an overloaded database would.
        'db.read': () => new Promise((resolve) => (slow = setTimeout(() => resolve(1), 2_000))),
      },
    })
    clearTimeout(slow)
    assert.ok(!result.ok)
    assert.equal(result.error.kind, 'timeout')
    assert.equal(result.error.hostBound, true, JSON.stringify(result))
    assert.match(result.error.message, /of it in platform and database calls/)
  })
})
