import assert from 'node:assert/strict'
import { existsSync, readdirSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, it } from 'node:test'
import { buildWeb } from '../../bin/build-web.ts'

describe('building the dashboard (npm run build:web, npm start)', () => {
  it('builds beside the served folder and swaps it in, so the served folder is never half-written', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'policykit-web-'))
    try {
      const dist = path.join(dir, 'dist')
      await mkdir(dist)
      await writeFile(path.join(dist, 'index.html'), '<!doctype html><title>the build being served</title>')
      // What a running server would read meanwhile: index.html is there at every look.
      let looks = 0
      let missing = 0
      const watcher = setInterval(() => {
        looks++
        if (!existsSync(path.join(dist, 'index.html'))) {
          missing++
        }
      }, 5)
      let served: string
      try {
        served = await buildWeb({ dist })
      } finally {
        clearInterval(watcher)
      }
      assert.equal(served, dist)
      assert.ok(looks > 0)
      assert.equal(missing, 0, 'the served folder always had its index.html')
      const index = await readFile(path.join(dist, 'index.html'), 'utf8')
      assert.match(index, /<script type="module"[^>]*src="\/assets\//, 'the new build is served')
      assert.deepEqual(readdirSync(dir), ['dist'], 'nothing left beside it')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
