import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, it } from 'node:test'

const script = new URL('../../bin/check-import-cycles.ts', import.meta.url).pathname

function check(dir: string) {
  return spawnSync(process.execPath, [script, dir], { encoding: 'utf8' })
}

describe('the import cycle check (npm run lint)', () => {
  it('finds a cycle of type-only imports across folders, and none in src/', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'policykit-cycles-'))
    try {
      await mkdir(path.join(dir, 'engine'))
      await mkdir(path.join(dir, 'platforms'))
      await writeFile(path.join(dir, 'platforms', 'platform.ts'), "import type { Engine } from '../engine/engine.ts'\n")
      await writeFile(path.join(dir, 'engine', 'engine.ts'), "import type { Def } from '../platforms/platform.ts'\n")
      await writeFile(path.join(dir, 'leaf.ts'), "import type { Def } from './platforms/platform.ts'\n")
      const found = check(dir)
      assert.equal(found.status, 1)
      assert.match(found.stderr, /import cycle: .*engine\.ts ⇄ .*platform\.ts/)
      assert.doesNotMatch(found.stderr, /leaf\.ts/)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
    const src = check(new URL('../../src', import.meta.url).pathname)
    assert.equal(src.status, 0, src.stderr)
  })
})
