import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createQuickJsSandbox } from '../../src/sandbox/quickjs-sandbox.ts'
import type { BlockRun, Sandbox, SandboxResult } from '../../src/sandbox/sandbox.ts'

function valueOf(result: SandboxResult): unknown {
  assert.ok(result.ok, `expected ok, got ${JSON.stringify(result)}`)
  return result.value
}

/**
 * One worker, so every run here lands in the same pooled context: each case writes something
 * in one run and looks for it in the next. A context reused without hardening (nothing frozen,
 * sloppy code, pending jobs kept) fails every one of them.
 */
describe('quickjs sandbox: isolation between runs of one pooled context', () => {
  let sandbox: Sandbox
  const run = (code: string, extra: Partial<BlockRun> = {}) =>
    sandbox.run({ block: 'check', code, limits: { cpuMs: 200 }, ...extra })

  before(async () => {
    sandbox = await createQuickJsSandbox({ poolSize: 1 })
  })
  after(() => sandbox.close())

  /** Runs `write` (its errors ignored: refusing the write is fine), then `read` must give `expected`. */
  async function leavesNoTrace(write: string, read: string, expected: unknown): Promise<void> {
    await run(`try { ${write} } catch (e) {}`)
    await run(write)
    assert.deepEqual(valueOf(await run(read)), expected, `after: ${write}`)
  }

  it('global variables and properties of globalThis', async () => {
    await leavesNoTrace('globalThis.leak = 1', 'return typeof globalThis.leak', 'undefined')
    await leavesNoTrace(
      'Object.defineProperty(globalThis, "leak", { value: 1 })',
      'return Object.getOwnPropertyDescriptor(globalThis, "leak")',
      undefined,
    )
    await leavesNoTrace('delete globalThis.JSON', 'return typeof JSON', 'object')
    await leavesNoTrace('globalThis.Array = function () {}', 'return Array.isArray([])', true)
  })

  it('builtins and their prototypes', async () => {
    const writes = [
      'Array.prototype.evil = 1',
      'Object.prototype.polluted = 1',
      'JSON.parse = () => "hijacked"',
      'Math.random = () => 0',
      'Date.now = () => 0',
      'String.prototype.trim = () => "hijacked"',
      'Promise.prototype.then = () => "hijacked"',
      'Error.stackTraceLimit = 0',
      'Object.setPrototypeOf(Object.prototype, { evil: 1 })',
      'Array.prototype[Symbol.iterator] = function* () { yield "hijacked" }',
    ]
    const read = `return [typeof [].evil, typeof ({}).polluted, JSON.parse('1'), Math.random() !== 0,
      Date.now(), ' a '.trim(), typeof Promise.resolve().then, [...[1]][0]]`
    for (const write of writes) {
      await run(`try { ${write} } catch (e) {}`)
      await run(write)
      // Date.now() is the time each run is given.
      const result = await run(read, { now: 9 })
      assert.deepEqual(valueOf(result), ['undefined', 'undefined', 1, true, 9, 'a', 'function', 1], write)
    }
  })

  it('the hidden intrinsics: AsyncFunction, generators, iterators, ThrowTypeError', async () => {
    const hidden = {
      asyncFunction: 'Object.getPrototypeOf(async function () {})',
      generatorFunction: 'Object.getPrototypeOf(function* () {})',
      generator: 'Object.getPrototypeOf(Object.getPrototypeOf((function* () {})()))',
      asyncGeneratorFunction: 'Object.getPrototypeOf(async function* () {})',
      asyncGenerator: 'Object.getPrototypeOf(Object.getPrototypeOf((async function* () {})()))',
      arrayIterator: 'Object.getPrototypeOf([][Symbol.iterator]())',
      iterator: 'Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()))',
      mapIterator: 'Object.getPrototypeOf(new Map().entries())',
      regExpStringIterator: 'Object.getPrototypeOf(/a/[Symbol.matchAll](""))',
      throwTypeError: 'Object.getOwnPropertyDescriptor(Function.prototype, "caller").get',
      asyncFunctionConstructor: 'Object.getPrototypeOf(async function () {}).constructor',
    }
    for (const [name, reach] of Object.entries(hidden)) {
      await leavesNoTrace(
        `const o = ${reach}; o.leak = 1; Object.defineProperty(o, 'next', { value: 1 })`,
        `const o = ${reach}; return [Object.isFrozen(o), typeof o.leak]`,
        [true, 'undefined'],
      ).catch((e: unknown) => assert.fail(`${name}: ${String(e)}`))
    }
  })

  it('leaves no reachable intrinsic unfrozen', async () => {
    // The guest's own walk from globalThis and the hidden intrinsics, through prototypes,
    // property values, getters and setters.
    const code = `
      const made = [async function () {}, function* () {}, async function* () {}]
      const instances = [(function* () {})(), (async function* () {})(), [][Symbol.iterator](),
        new Map().entries(), new Set().values(), ''[Symbol.iterator](), /a/[Symbol.matchAll]('')]
      // What this probe made itself (its functions, their prototypes, its iterators) is not shared.
      const own = new Set([...made, ...made.map((f) => f.prototype), ...instances,
        ...instances.slice(0, 2).map((i) => Object.getPrototypeOf(i))])
      const seen = new Set()
      const open = []
      const stack = [globalThis, Object.getOwnPropertyDescriptor(Function.prototype, 'caller').get, ...made, ...instances]
      while (stack.length > 0) {
        const o = stack.pop()
        if (o === null || (typeof o !== 'object' && typeof o !== 'function') || seen.has(o)) continue
        seen.add(o)
        if (!Object.isFrozen(o) && !own.has(o)) open.push(String(o.name ?? Object.prototype.toString.call(o)))
        stack.push(Object.getPrototypeOf(o))
        for (const key of Reflect.ownKeys(o)) {
          const d = Object.getOwnPropertyDescriptor(o, key)
          stack.push(d.value, d.get, d.set)
        }
      }
      return [seen.size > 400, open]`
    assert.deepEqual(valueOf(await run(code)), [true, []])
  })

  it('implicit globals, indirect-eval var and sloppy Function code', async () => {
    await leavesNoTrace('leak = 1', 'return typeof leak', 'undefined')
    await leavesNoTrace('(0, eval)("var leak = 1")', 'return typeof leak', 'undefined')
    await leavesNoTrace('(0, eval)("function leak() {}")', 'return typeof leak', 'undefined')
    await leavesNoTrace('(0, eval)("let leak = 1")', 'return (0, eval)("typeof leak")', 'undefined')
    await leavesNoTrace('Function("this.leak = 1")()', 'return typeof leak', 'undefined')
    await leavesNoTrace('Function("leak = 1")()', 'return Function("return typeof leak")()', 'undefined')
  })

  it('top-level declarations of a block that closes its function body early', async () => {
    const breakouts = [
      '}}); let leak = 1; (function(){return async function(){',
      '}}); const leak = 1; class leak2 {}; (function(){return async function(){',
      '}]; let leak = 1; [async function(){',
    ]
    for (const code of breakouts) {
      const result = await run(code)
      assert.ok(!result.ok && result.error.kind === 'syntax', JSON.stringify(result))
      assert.equal((await sandbox.compile('check', code))?.kind, 'syntax')
    }
    assert.deepEqual(valueOf(await run('return (0, eval)("[typeof leak, typeof leak2]")')), ['undefined', 'undefined'])
  })

  it('promise jobs: a run never sees another run’s jobs, even one that timed out', async () => {
    const calls: string[] = []
    const note = (tag: string) => ({ 'x.note': (what: unknown) => void calls.push(`${tag} ${String(what)}`) })
    const late = await run(
      `;(async () => { await null; await null; x.note('late') })()
       Promise.resolve().then(() => x.note('job'))
       return 1`,
      { functions: note('first') },
    )
    assert.equal(valueOf(late), 1)
    valueOf(await run('return 2', { functions: note('second') }))
    assert.deepEqual(calls.sort(), ['first job', 'first late'])

    // Jobs that never end (three chains: the interrupt stops one): the run times out and its
    // context is retired, jobs and all.
    const endless = await run(
      'for (let i = 0; i < 3; i++) Promise.resolve().then(function f() { return Promise.resolve().then(f) }); return 1',
    )
    assert.ok(!endless.ok && endless.error.kind === 'timeout')
    assert.equal(valueOf(await run('await null; return 3')), 3)
  })

  it('contexts after a stack overflow or running out of memory serve the next run', async () => {
    const deep = await run('function f(n) { return f(n + 1) + 1 } return f(0)')
    assert.ok(!deep.ok && deep.error.kind === 'stack')
    const bomb = await run('const a = []; while (true) a.push(new Array(100000).fill(1.5))', {
      limits: { memoryBytes: 8 * 1024 * 1024, cpuMs: 5000, wallMs: 10_000 },
    })
    assert.ok(!bomb.ok && bomb.error.kind === 'memory', JSON.stringify(bomb))
    assert.deepEqual(valueOf(await run('return [typeof a, typeof f, [1, 2].map((n) => n * 2)]')), [
      'undefined',
      'undefined',
      [2, 4],
    ])
  })

  it('keeps one community’s data from another’s run of the same block', async () => {
    // The same code (one cached factory) for both: it stashes what it is given wherever it can.
    const code = `
      const found = []
      const places = [globalThis, Object.prototype, Array.prototype, Function.prototype, JSON, Math,
        Object.getPrototypeOf(async function () {}), Object.getPrototypeOf([][Symbol.iterator]())]
      for (const place of places) {
        try { if (place.stash !== undefined) found.push(place.stash) } catch (e) {}
        try { place.stash = action.secret } catch (e) {}
      }
      try { (0, eval)('var stash = ' + JSON.stringify(action.secret)) } catch (e) {}
      try { if (typeof stash !== 'undefined') found.push(stash) } catch (e) {}
      return found`
    const asCommunity = (secret: string) => run(code, { globals: { action: { secret } } })
    assert.deepEqual(valueOf(await asCommunity('community 1')), [])
    assert.deepEqual(valueOf(await asCommunity('community 2')), [])
  })

  it('host functions and their namespaces, shared by runs with the same functions, carry nothing over', async () => {
    const calls: string[] = []
    const functions = {
      'logger.info': (what: unknown) => void calls.push(`info ${String(what)}`),
      'proposal.getYesVotes': () => ['yes'],
      'proposal.data.get': (key: unknown) => `got ${String(key)}`,
      'x.note': (what: unknown) => void calls.push(`note ${String(what)}`),
    }
    const globals = (secret: string) => ({ proposal: { id: 1, secret } })
    const asCommunity = (secret: string, code: string) => run(code, { globals: globals(secret), functions })
    const places = `[Object.getPrototypeOf(proposal), proposal.getYesVotes, Object.getPrototypeOf(proposal.data),
      proposal.data.get, Object.getPrototypeOf(logger), logger, logger.info, Object.getPrototypeOf(x), x.note]`
    const stash = `
      const found = []
      for (const place of ${places}) {
        try { if (place.stash !== undefined) found.push(place.stash) } catch (e) {}
        try { place.stash = proposal.secret } catch (e) {}
        try { Object.defineProperty(place, 'stash', { value: proposal.secret }) } catch (e) {}
      }
      try { Object.getPrototypeOf(proposal).getYesVotes = () => ['hijacked'] } catch (e) {}
      try { logger.info = () => 'hijacked' } catch (e) {}
      try { delete x.note } catch (e) {}
      try { Object.setPrototypeOf(Object.getPrototypeOf(proposal), { evil: 1 }) } catch (e) {}
      return found`
    assert.deepEqual(valueOf(await asCommunity('community 1', stash)), [])
    assert.deepEqual(valueOf(await asCommunity('community 2', stash)), [])
    const read = `logger.info('hello'); x.note(proposal.secret)
      return [proposal.getYesVotes(), proposal.data.get('k'), typeof proposal.evil, proposal.secret,
        Object.keys(proposal), typeof logger.stash]`
    assert.deepEqual(valueOf(await asCommunity('community 3', read)), [
      ['yes'],
      'got k',
      'undefined',
      'community 3',
      ['id', 'secret'],
      'undefined',
    ])
    assert.deepEqual(calls, ['info hello', 'note community 3'])
  })

  it('makes the namespaces of host functions whether or not the data has them', async () => {
    const functions = {
      'proposal.getYesVotes': () => ['yes'],
      'proposal.data.get': (key: unknown) => `got ${String(key)}`,
      'a.b.c': () => 'deep',
    }
    const read = 'return [proposal.getYesVotes(), proposal.data.get(1), a.b.c(), typeof proposal.id]'
    assert.deepEqual(valueOf(await run(read, { functions })), [['yes'], 'got 1', 'deep', 'undefined'])
    assert.deepEqual(valueOf(await run(read, { functions, globals: { proposal: { id: 7 } } })), [
      ['yes'],
      'got 1',
      'deep',
      'number',
    ])
  })

  it('still runs ordinary code that assigns properties its prototypes also have', async () => {
    const code = `
      class Refusal extends Error {
        constructor(message) { super(message); this.name = 'Refusal' }
      }
      const point = { x: 1 }
      point.toString = () => 'point'
      point.constructor = 'mine'
      const e = new Refusal('no')
      e.message = 'changed'
      return [String(point), point.constructor, e.name, e.message, e instanceof Error]`
    assert.deepEqual(valueOf(await run(code)), ['point', 'mine', 'Refusal', 'changed', true])
  })
})
