import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { runSandboxCommand } from '../../src/cli/sandbox-command.ts'

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
    const lines: string[] = []
    const status = await runSandboxCommand(files, (line) => lines.push(line))
    assert.equal(status, 0)
    assert.deepEqual(
      lines.map((line) => JSON.parse(line) as unknown),
      [
        { file: files[0], ok: true, value: 'passed' },
        { file: files[1], ok: true, value: null },
        { file: files[2], ok: true, value: 1 },
        {
          file: files[3],
          ok: false,
          error: {
            kind: 'syntax',
            message: 'variable name expected',
            line: 2,
          },
        },
        {
          file: files[4],
          ok: false,
          error: { kind: 'timeout', message: 'exceeded 250 ms of CPU time' },
        },
      ],
    )
  })

  it('reports runtime errors with their line', async () => {
    const lines: string[] = []
    await runSandboxCommand([await file('throws.js', '\n\nthrow new Error("no")')], (line) => lines.push(line))
    assert.deepEqual(JSON.parse(lines[0] ?? ''), {
      file: join(dir, 'throws.js'),
      ok: false,
      error: { kind: 'runtime', message: 'no', line: 3 },
    })
  })

  it('keeps files apart', async () => {
    const files = [
      await file('first.js', 'globalThis.shared = 1; Object.prototype.p = 1; return 1'),
      await file('second.js', 'return [typeof shared, typeof ({}).p]'),
    ]
    const lines: string[] = []
    await runSandboxCommand(files, (line) => lines.push(line))
    assert.deepEqual(JSON.parse(lines[1] ?? ''), {
      file: files[1],
      ok: true,
      value: ['undefined', 'undefined'],
    })
  })

  it('reports an unreadable file, runs the rest and returns 2', async () => {
    const missing = join(dir, 'missing.js')
    const files = [missing, await file('ok.js', 'return FAILED')]
    const lines: string[] = []
    const status = await runSandboxCommand(files, (line) => lines.push(line))
    assert.equal(status, 2)
    const [first, second] = lines.map((line) => JSON.parse(line) as Record<string, unknown>)
    assert.deepEqual(first?.file, missing)
    assert.deepEqual(first?.ok, false)
    assert.deepEqual((first?.error as { kind: string }).kind, 'io')
    assert.deepEqual(second, { file: files[1], ok: true, value: 'failed' })
  })
})
