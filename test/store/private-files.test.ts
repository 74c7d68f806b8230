import assert from 'node:assert/strict'
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, describe, it } from 'node:test'
import { openConfiguredStore } from '../../src/app.ts'
import { loadConfig } from '../../src/config.ts'
import { migrate } from '../../src/store/migrate.ts'

const modeOf = (file: string) => statSync(file).mode & 0o777

describe('data files are private to the server user', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'policykit-private-'))
  after(() => rmSync(root, { recursive: true, force: true }))

  async function start(dataDir: string): Promise<void> {
    const store = await openConfiguredStore(loadConfig({ POLICYKIT_DATA_DIR: dataDir }))
    try {
      await migrate(store)
      await store.communities.create({ name: 'c', now: 1 })
      // Checked while the database is open: the -wal and -shm files exist only then.
      for (const name of ['policykit.db', 'policykit.db-wal', 'policykit.db-shm', 'secret.key']) {
        assert.equal(modeOf(path.join(dataDir, name)).toString(8), '600', name)
      }
      assert.equal(modeOf(dataDir).toString(8), '700', 'the data directory')
    } finally {
      await store.close()
    }
  }

  it('creates the data directory 0700 and the database files and key file 0600', async () => {
    await start(path.join(root, 'fresh', 'data'))
  })

  it('tightens what an earlier version made readable by others', async () => {
    const dataDir = path.join(root, 'old')
    mkdirSync(dataDir, { mode: 0o755 })
    chmodSync(dataDir, 0o755)
    for (const name of ['policykit.db', 'policykit.db-wal', 'policykit.db-shm']) {
      writeFileSync(path.join(dataDir, name), '', { mode: 0o644 })
      chmodSync(path.join(dataDir, name), 0o644)
    }
    writeFileSync(path.join(dataDir, 'secret.key'), `${'ab'.repeat(32)}\n`, { mode: 0o644 })
    chmodSync(path.join(dataDir, 'secret.key'), 0o644)
    await start(dataDir)
  })
})
