import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { AppError } from '../../src/errors.ts'
import { createQuickJsSandbox } from '../../src/sandbox/quickjs-sandbox.ts'
import type { BlockRun, Sandbox, SandboxResult } from '../../src/sandbox/sandbox.ts'

function valueOf(result: SandboxResult): unknown {
  assert.ok(result.ok, `expected ok, got ${JSON.stringify(result)}`)
  return result.value
}

function errorOf(result: SandboxResult) {
  assert.ok(!result.ok, `expected an error, got ${JSON.stringify(result)}`)
  return result.error
}

describe('quickjs sandbox: values and host functions', () => {
  let sandbox: Sandbox
  const run = (code: string, extra: Partial<BlockRun> = {}) => sandbox.run({ block: 'check', code, ...extra })

  before(async () => {
    sandbox = await createQuickJsSandbox({ poolSize: 2 })
  })
  after(() => sandbox.close())

  it('returns JSON values with their types', async () => {
    assert.equal(valueOf(await run('return true')), true)
    assert.equal(valueOf(await run('return 1.5')), 1.5)
    assert.equal(valueOf(await run('return "x"')), 'x')
    assert.equal(valueOf(await run('return null')), null)
    assert.deepEqual(valueOf(await run('return { a: [1, "b", null], u: undefined }')), {
      a: [1, 'b', null],
    })
  })

  it('keeps undefined as undefined', async () => {
    const result = await run('const x = 1')
    assert.deepEqual(result, { ok: true, value: undefined })
  })

  it('treats await as harmless', async () => {
    assert.equal(valueOf(await run('return await 5')), 5)
    assert.equal(valueOf(await run('await null; return await Promise.resolve(6)')), 6)
  })

  it('puts globals in scope by name', async () => {
    const result = await run('return action.type + ":" + PASSED', {
      globals: { action: { type: 'slack.postMessage' }, PASSED: 'passed' },
    })
    assert.equal(valueOf(result), 'slack.postMessage:passed')
  })

  it('calls async host functions as if they were synchronous, also after an await', async () => {
    const posted: unknown[] = []
    const asyncFunctions = {
      'slack.postMessage': async (text: unknown) => {
        await new Promise((resolve) => setTimeout(resolve, 2))
        posted.push(text)
        return `ts-${posted.length}`
      },
    }
    const code = `
      const first = slack.postMessage('hi')
      await null
      const second = await slack.postMessage('again')
      return [first, second]`
    assert.deepEqual(valueOf(await run(code, { asyncFunctions })), ['ts-1', 'ts-2'])
    assert.deepEqual(posted, ['hi', 'again'])
  })

  it('creates objects along dotted paths and adds methods to given globals', async () => {
    const data: Record<string, unknown> = {}
    const result = await run(
      `proposal.data.set('k', { n: 1 })
       return [proposal.id, proposal.getYesVotes(), proposal.data.get('k')]`,
      {
        globals: { proposal: { id: 7 } },
        functions: {
          'proposal.getYesVotes': () => 3,
          'proposal.data.set': (key, value) => {
            data[JSON.stringify(key)] = value
            return undefined
          },
          'proposal.data.get': (key) => (data[JSON.stringify(key)] as number) ?? null,
        },
      },
    )
    assert.deepEqual(valueOf(result), [7, 3, { n: 1 }])
  })

  it('answers a call whose answer the host gave beforehand inside the sandbox, and asks the host for any other', async () => {
    const asked: unknown[][] = []
    const functions = {
      'proposal.getYesVotes': (...args: unknown[]) => {
        asked.push(args)
        return ['from the host']
      },
    }
    const answers = { 'proposal.getYesVotes': { '[]': [{ memberId: 1 }] } }
    const code = `const a = proposal.getYesVotes()
a.push('mine')
return [a, proposal.getYesVotes(), proposal.getYesVotes(['ada'])]`
    assert.deepEqual(valueOf(await run(code, { functions, answers })), [
      [{ memberId: 1 }, 'mine'],
      [{ memberId: 1 }],
      ['from the host'],
    ])
    assert.deepEqual(asked, [[['ada']]], 'only the call with other arguments reached the host')
    assert.deepEqual(valueOf(await run('return proposal.getYesVotes()', { functions })), ['from the host'])
  })

  it('passes only plain data to host functions', async () => {
    const seen: unknown[][] = []
    const functions = {
      'x.record': (...args: unknown[]) => {
        seen.push(args)
        return null
      },
    }
    await run('x.record(1, { f() {}, d: new Date(0), u: undefined }, [() => 1], undefined)', {
      functions,
      now: 0,
    })
    assert.deepEqual(seen, [[1, { d: '1970-01-01T00:00:00.000Z' }, [null]]])
    const cyclic = await run('const a = {}; a.a = a; x.record(a)', {
      functions,
    })
    assert.match(errorOf(cyclic).message, /circular/)
  })

  it('surfaces an AppError message, hides any other host error', async () => {
    const functions = {
      'x.refuse': () => {
        throw new AppError('forbidden', 'not allowed here')
      },
      'x.crash': () => {
        throw new Error('secret at /srv/app/db.ts:12')
      },
    }
    const asyncFunctions = { 'x.reject': () => Promise.reject(new Error('boom')) }
    const refused = await run('\n\nx.refuse()', { functions })
    assert.deepEqual(errorOf(refused), {
      kind: 'runtime',
      message: 'not allowed here',
      block: 'check',
      line: 3,
    })
    const caught = await run(
      'try { x.crash() } catch (e) { return [e instanceof Error, e.message, String(e.stack).includes("srv")] }',
      { functions },
    )
    assert.deepEqual(valueOf(caught), [true, 'internal error in x.crash', false])
    const rejected = await run('x.reject()', { asyncFunctions })
    assert.equal(errorOf(rejected).message, 'internal error in x.reject')
  })

  it('treats a promise from a synchronous host function as a host error', async () => {
    let rejections = 0
    const count = () => (rejections += 1)
    process.on('unhandledRejection', count)
    try {
      const functions = { 'x.late': () => Promise.reject(new Error('late')) }
      const result = await run('try { x.late() } catch (e) { return e.message }', { functions })
      assert.equal(valueOf(result), 'internal error in x.late')
      await new Promise((resolve) => setImmediate(resolve))
      assert.equal(rejections, 0)
    } finally {
      process.off('unhandledRejection', count)
    }
  })

  it('is deterministic in time and randomness', async () => {
    const code = 'return [Date.now(), new Date().getTime(), Date(), Math.random(), Math.random()]'
    const a = valueOf(await run(code, { now: 1_700_000_000_000, randomSeed: 42 }))
    const b = valueOf(await run(code, { now: 1_700_000_000_000, randomSeed: 42 }))
    const c = valueOf(await run(code, { now: 1_700_000_000_000, randomSeed: 43 }))
    assert.deepEqual(a, b)
    assert.ok(Array.isArray(a) && Array.isArray(c))
    assert.equal(a[0], 1_700_000_000_000)
    assert.equal(a[1], 1_700_000_000_000)
    assert.notEqual(a[3], c[3])
    assert.ok(typeof a[3] === 'number' && a[3] >= 0 && a[3] < 1)
    assert.equal(valueOf(await run('return new Date(5).getTime()', { now: 1 })), 5)
  })

  it('runs in strict mode', async () => {
    assert.equal(valueOf(await run('return this === undefined')), true)
    assert.equal(errorOf(await run('undeclared = 1')).kind, 'runtime')
  })
})

describe('quickjs sandbox: errors and line numbers', () => {
  let sandbox: Sandbox
  before(async () => {
    sandbox = await createQuickJsSandbox({ poolSize: 1 })
  })
  after(() => sandbox.close())

  it('reports syntax errors with their line', async () => {
    const result = await sandbox.run({
      block: 'filter',
      code: 'const a = 1\n\nlet = ;',
    })
    const error = errorOf(result)
    assert.equal(error.kind, 'syntax')
    assert.equal(error.block, 'filter')
    assert.equal(error.line, 3)
  })

  it('shows an unclosed bracket on the last line of the body', async () => {
    const error = errorOf(await sandbox.run({ block: 'check', code: 'const a = 1\nreturn ((' }))
    assert.equal(error.kind, 'syntax')
    assert.equal(error.line, 2)
  })

  it('reports a thrown Error with its message and line', async () => {
    const result = await sandbox.run({
      block: 'check',
      code: 'const a = 1\nthrow new Error("x")',
    })
    assert.deepEqual(errorOf(result), {
      kind: 'runtime',
      message: 'x',
      block: 'check',
      line: 2,
    })
  })

  it('names non-plain errors and finds the line inside nested functions', async () => {
    const code = 'function f() {\n  return null.x\n}\nreturn f()'
    const error = errorOf(await sandbox.run({ block: 'check', code }))
    assert.equal(error.kind, 'runtime')
    assert.match(error.message, /^TypeError: /)
    assert.equal(error.line, 2)
  })

  it('reports errors after an await with their line', async () => {
    const code = 'await null\n\nthrow new RangeError("late")'
    const error = errorOf(await sandbox.run({ block: 'check', code }))
    assert.deepEqual(error, {
      kind: 'runtime',
      message: 'RangeError: late',
      block: 'check',
      line: 3,
    })
  })

  it('reports thrown non-errors', async () => {
    assert.equal(errorOf(await sandbox.run({ block: 'b', code: 'throw "plain"' })).message, 'plain')
  })

  it('treats a promise that never settles as a runtime error', async () => {
    const error = errorOf(await sandbox.run({ block: 'b', code: 'await new Promise(() => {})' }))
    assert.equal(error.kind, 'runtime')
    assert.match(error.message, /did not finish/)
  })
})

describe('quickjs sandbox: isolation and concurrency', () => {
  let sandbox: Sandbox
  before(async () => {
    sandbox = await createQuickJsSandbox({ poolSize: 2 })
  })
  after(() => sandbox.close())

  it('does not share values between interleaved runs', async () => {
    const runs = Array.from({ length: 20 }, (_, i) =>
      sandbox.run({
        block: `run${i}`,
        code: `const before = typeof globalThis.mine
          await null
          return [before, id, x.echo(id)]`,
        globals: { id: i },
        functions: { 'x.echo': (n) => n ?? null },
      }),
    )
    const results = await Promise.all(runs)
    results.forEach((result, i) => assert.deepEqual(valueOf(result), ['undefined', i, i]))
  })

  it('serves 50 parallel runs with a pool of 2, each with its own values', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        sandbox.run({
          block: 'check',
          code: 'const n = x.double(input); await null; return [input, n, x.double(n)]',
          globals: { input: i },
          asyncFunctions: {
            'x.double': async (n) => {
              await new Promise((resolve) => setTimeout(resolve, i % 3))
              return Number(n) * 2
            },
          },
        }),
      ),
    )
    results.forEach((result, i) => assert.deepEqual(valueOf(result), [i, i * 2, i * 4]))
  })

  it('refuses names that are not identifiers', async () => {
    await assert.rejects(sandbox.run({ block: 'b', code: '', globals: { 'a-b': 1 } }), TypeError)
    await assert.rejects(sandbox.run({ block: 'b', code: '', functions: { 'a..b': () => null } }), TypeError)
    assert.equal(valueOf(await sandbox.run({ block: 'b', code: 'return 1' })), 1)
  })
})

describe('quickjs sandbox: compiling without running', () => {
  let sandbox: Sandbox
  before(async () => {
    sandbox = await createQuickJsSandbox({ poolSize: 1 })
  })
  after(() => sandbox.close())

  it('accepts a block that parses, including return and await at the top of the body', async () => {
    assert.equal(await sandbox.compile('check', 'const yes = 1\nif (yes) return PASSED\nawait null'), null)
    assert.equal(await sandbox.compile('filter', ''), null)
  })

  it('reports a syntax error with its block and line', async () => {
    assert.deepEqual(await sandbox.compile('check', 'const a = 1\n\nlet = ;'), {
      kind: 'syntax',
      message: 'variable name expected',
      block: 'check',
      line: 3,
    })
  })

  it('shows an unclosed bracket on the last line of the body', async () => {
    const error = await sandbox.compile('notify', 'const a = 1\nreturn ((')
    assert.equal(error?.kind, 'syntax')
    assert.equal(error?.block, 'notify')
    assert.equal(error?.line, 2)
  })

  it('runs none of the code', async () => {
    // An endless loop that ran would end in a timeout error, not in null.
    const started = performance.now()
    assert.equal(await sandbox.compile('check', 'while (true) {}'), null)
    assert.ok(performance.now() - started < 200)
  })

  it('leaves the instance usable for runs', async () => {
    assert.ok((await sandbox.compile('check', 'return (')) !== null)
    assert.deepEqual(await sandbox.run({ block: 'check', code: 'return 1 + 1' }), { ok: true, value: 2 })
  })
})

describe('quickjs sandbox: code nested too deeply to parse', () => {
  let sandbox: Sandbox
  before(async () => {
    sandbox = await createQuickJsSandbox({ poolSize: 1 })
  })
  after(() => sandbox.close())

  it('is a syntax error, in compile and in run, and the worker goes on', async () => {
    const code = `return ${'!'.repeat(50_000)}1`
    const compiled = await sandbox.compile('check', code)
    assert.equal(compiled?.kind, 'syntax')
    assert.match(compiled?.message ?? '', /nested too deeply/)
    const run = errorOf(await sandbox.run({ block: 'check', code }))
    assert.equal(run.kind, 'syntax')
    assert.match(run.message, /nested too deeply/)
    assert.equal(valueOf(await sandbox.run({ block: 'check', code: 'return !!1' })), true)
  })
})

describe('quickjs sandbox: runs in the background', () => {
  let sandbox: Sandbox
  before(async () => {
    sandbox = await createQuickJsSandbox({ poolSize: 2 })
  })
  after(() => sandbox.close())

  /** Runs `label`'s block, which calls the host as it starts and ends; the calls go in `seen`. */
  function traced(seen: string[], label: string, background: boolean): Promise<SandboxResult> {
    const mark = (what: unknown) => {
      seen.push(`${label} ${String(what)}`)
      return null
    }
    // The host answers the first call late, so that a run alongside would start meanwhile.
    const functions = {
      'host.start': () => {
        mark('start')
        return new Promise<null>((resolve) => setTimeout(() => resolve(null), 30))
      },
      'host.end': () => mark('end'),
    }
    return sandbox.run({ block: 'check', code: `host.start(); host.end(); return '${label}'`, functions, background })
  }

  it('takes turns: one starts after the one before it ended, each with its result', async () => {
    const seen: string[] = []
    const results = await Promise.all(['a', 'b', 'c'].map((label) => traced(seen, label, true)))
    assert.deepEqual(results.map(valueOf), ['a', 'b', 'c'])
    assert.deepEqual(seen, ['a start', 'a end', 'b start', 'b end', 'c start', 'c end'])
  })

  it('keeps taking turns after a run that the sandbox refused', async () => {
    // A host function whose name is no identifier: the run is rejected, not run.
    const refused = sandbox.run({
      block: 'check',
      code: 'return 1',
      functions: { 'no-name': () => null },
      background: true,
    })
    const after = sandbox.run({ block: 'check', code: 'return 2', background: true })
    await assert.rejects(refused, /invalid function path name/)
    assert.equal(valueOf(await after), 2)
  })

  it('does not hold up runs that are not in the background', async () => {
    // Both threads started first, so that neither run waits for one to start.
    const ready = () => sandbox.run({ block: 'check', code: 'return 1' })
    await Promise.all([ready(), ready()])
    const seen: string[] = []
    await Promise.all([traced(seen, 'a', true), traced(seen, 'b', false)])
    assert.deepEqual(seen.slice(0, 2).sort(), ['a start', 'b start'], 'both started before either ended')
  })
})
