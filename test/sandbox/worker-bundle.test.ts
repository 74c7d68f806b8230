import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { rm } from 'node:fs/promises'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { after, describe, it } from 'node:test'
import { createQuickJsSandbox } from '../../src/sandbox/quickjs-sandbox.ts'

const root = path.resolve(import.meta.dirname, '..', '..')

/** `npm start` runs the worker bundled to plain JavaScript: the bundle must work as the source does. */
describe('the bundled sandbox worker (npm run build:sandbox)', () => {
  const outDir = path.join(root, 'build', `test-sandbox-worker-${process.pid}`)
  after(() => rm(outDir, { recursive: true, force: true }))

  it('builds and runs blocks, host calls and timeouts included', async () => {
    const vite = path.join(root, 'node_modules', 'vite', 'bin', 'vite.js')
    const build = spawnSync(
      process.execPath,
      [vite, 'build', '--ssr', 'src/sandbox/sandbox-worker.ts', '--outDir', outDir, '--logLevel', 'warn'],
      { cwd: root, encoding: 'utf8' },
    )
    assert.equal(build.status, 0, build.stderr)
    const sandbox = await createQuickJsSandbox({
      poolSize: 1,
      limits: { wallMs: 300 },
      workerEntry: pathToFileURL(path.join(outDir, 'sandbox-worker.js')),
    })
    try {
      const result = await sandbox.run({
        block: 'check',
        code: 'return [x.twice(n), Date.now()]',
        globals: { n: 2 },
        functions: { 'x.twice': (n) => Number(n) * 2 },
        now: 5,
      })
      assert.deepEqual(result, { ok: true, value: [4, 5] })
      const stuck = await sandbox.run({ block: 'check', code: "return new Array(2 ** 32 - 1).join('x')" })
      assert.ok(!stuck.ok && stuck.error.kind === 'timeout', JSON.stringify(stuck))
      assert.deepEqual(await sandbox.run({ block: 'check', code: 'return 1' }), { ok: true, value: 1 })
    } finally {
      await sandbox.close()
    }
  })
})
