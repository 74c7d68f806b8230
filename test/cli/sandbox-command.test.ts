import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { runSandboxCommand } from '../../src/cli/sandbox-command.ts'

/** Runs the command with argv; what it printed, line by line, and its status. */
async function sandboxCommand(argv: string[]): Promise<{ status: number; out: unknown[]; err: string }> {
  const out: string[] = []
  let err = ''
  const status = await runSandboxCommand(argv, {
    out: (text) => out.push(...text.split('\n').filter((line) => line !== '')),
    err: (text) => (err += text),
  })
  return { status, out: out.map((line) => JSON.parse(line) as unknown), err }
}

describe('policykit sandbox FILE…', () => {
  let dir: string
  const file = async (name: string, code: string) => {
    const path = join(dir, name)
    await writeFile(path, code)
    return path
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'policykit-sandbox-'))
  })
  after(() => rm(dir, { recursive: true, force: true }))

  it('writes one JSON line per file, in order, and returns 0', async () => {
    const files = [
      await file('pass.js', 'logger.info("checking", { n: 1 })\nreturn PASSED'),
      await file('nothing.js', 'const x = 1'),
      await file('broken.js', 'return 1\n\nthrow new TypeError("bad")'),
      await file('syntax.js', 'const a = 1\nlet = ;'),
      await file('loop.js', 'while (true) {}'),
    ]
    const { status, out, err } = await sandboxCommand(files)
    assert.equal(status, 0)
    assert.deepEqual(out, [
      { file: files[0], ok: true, value: 'passed' },
      { file: files[1], ok: true, value: null },
      { file: files[2], ok: true, value: 1 },
      { file: files[3], ok: false, error: { kind: 'syntax', message: 'variable name expected', line: 2 } },
      { file: files[4], ok: false, error: { kind: 'timeout', message: 'exceeded 250 ms of CPU time' } },
    ])
    assert.deepEqual(JSON.parse(err), { file: files[0], level: 'info', args: ['checking', { n: 1 }] })
  })

  it('stops a block that QuickJS cannot interrupt at the wall-clock limit', async () => {
    const path = await file('join.js', "return new Array(2 ** 32 - 1).join('x').length")
    const { out } = await sandboxCommand([path, await file('after.js', 'return 2')])
    assert.deepEqual(out, [
      { file: path, ok: false, error: { kind: 'timeout', message: 'exceeded 1000 ms of wall-clock time' } },
      { file: join(dir, 'after.js'), ok: true, value: 2 },
    ])
  })

  it('reports runtime errors with their line', async () => {
    const { out } = await sandboxCommand([await file('throws.js', '\n\nthrow new Error("no")')])
    assert.deepEqual(out, [
      { file: join(dir, 'throws.js'), ok: false, error: { kind: 'runtime', message: 'no', line: 3 } },
    ])
  })

  it('keeps files apart', async () => {
    const files = [
      await file('first.js', 'try { globalThis.shared = 1 } catch (e) {} try { Object.prototype.p = 1 } catch (e) {}'),
      await file('second.js', 'return [typeof shared, typeof ({}).p]'),
    ]
    const { out } = await sandboxCommand(files)
    assert.deepEqual(out[1], { file: files[1], ok: true, value: ['undefined', 'undefined'] })
  })

  it('tries a check block against a sample proposal, action and variables', async () => {
    const check = await file(
      'check.js',
      `const yes = proposal.getYesVotes().length
      const adaSaid = proposal.getAllVotes(['ada']).map((v) => v.value)
      proposal.data.set('seen', yes)
      if (!action.initiator.hasRole('Member')) return FAILED
      return [action.type, action.text, yes, proposal.getNoVotes().length, adaSaid, yes >= variables.quorum ? PASSED : PROPOSED]`,
    )
    const { status, out } = await sandboxCommand([
      '--action',
      '{"type":"slack.postMessage","text":"hi","initiator":{"username":"bo","roles":["Member"]}}',
      '--proposal',
      '{"votes":[{"username":"ada","value":true},{"memberId":7,"value":true},{"username":"cy","value":false}],"data":{"n":1}}',
      '--variables',
      '{"quorum":2}',
      check,
    ])
    assert.equal(status, 0)
    assert.deepEqual(out, [
      {
        file: check,
        ok: true,
        value: ['slack.postMessage', 'hi', 2, 1, [true], 'passed'],
        data: { n: 1, seen: 2 },
      },
    ])
  })

  it('refuses bad JSON with an error naming the flag', async () => {
    const path = await file('ok.js', 'return 1')
    for (const [flag, value, message] of [
      ['--action', '{type:', /--action is not valid JSON/],
      ['--proposal', '[]', /--proposal: /],
      ['--proposal', '{"votes":[{"username":"ada"}]}', /--proposal: votes\.0\.value/],
      ['--variables', '"x"', /--variables: /],
    ] as const) {
      const { status, out, err } = await sandboxCommand([flag, value, path])
      assert.equal(status, 2, flag)
      assert.deepEqual(out, [])
      assert.match(err, message)
    }
  })

  it('reports an unreadable file, runs the rest and returns 2', async () => {
    const missing = join(dir, 'missing.js')
    const files = [missing, await file('ok.js', 'return FAILED')]
    const { status, out } = await sandboxCommand(files)
    assert.equal(status, 2)
    const [first, second] = out as Array<Record<string, unknown>>
    assert.deepEqual(first?.file, missing)
    assert.deepEqual(first?.ok, false)
    assert.deepEqual((first?.error as { kind: string }).kind, 'io')
    assert.deepEqual(second, { file: files[1], ok: true, value: 'failed' })
  })

  it('runs from the command line', async () => {
    const path = await file('cli.js', 'return variables.n * 2')
    const cli = new URL('../../bin/policykit.js', import.meta.url).pathname
    const run = spawnSync(process.execPath, [cli, 'sandbox', '--variables', '{"n":2}', path], { encoding: 'utf8' })
    assert.equal(run.status, 0, run.stderr)
    assert.deepEqual(JSON.parse(run.stdout), { file: path, ok: true, value: 4 })
  })
})
