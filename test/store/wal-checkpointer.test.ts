import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, describe, it } from 'node:test'
import Database from 'better-sqlite3'
import { startWalCheckpointer } from '../../src/store/wal-checkpointer.ts'
import { until } from '../support/until.ts'

const autocheckpoint = (db: Database.Database) => db.pragma('wal_autocheckpoint', { simple: true })

describe('sqlite: the write-ahead log checkpointed on a thread of its own', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'policykit-wal-'))
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('copies the log back while the serving connection only writes, and hands checkpoints back when stopped', async () => {
    const file = path.join(dir, 'policykit.db')
    const db = new Database(file)
    db.pragma('journal_mode = WAL')
    db.exec('create table t (x text)')
    const checkpointer = startWalCheckpointer(db, file, 20)
    try {
      assert.ok(
        await until(() => autocheckpoint(db) === 10_000),
        'the serving connection leaves checkpoints to the thread',
      )
      const sizeBefore = statSync(file).size
      const insert = db.prepare('insert into t values (?)')
      for (let i = 0; i < 200; i++) {
        insert.run('x'.repeat(1000))
      }
      // The rows are in the log; only a checkpoint copies them into the database file, and the
      // serving connection makes none below 10,000 pages.
      const backfilled = () => statSync(file).size > sizeBefore + 100 * 1024
      assert.ok(await until(backfilled), 'the thread copied the log into the database file')
    } finally {
      await checkpointer.stop()
    }
    assert.equal(autocheckpoint(db), 1000, 'SQLite checkpoints as it does by default again')
    db.close()
  })

  it('hands checkpoints back to the serving connection when the thread fails', async () => {
    const db = new Database(':memory:')
    db.pragma('wal_autocheckpoint = 5')
    // The thread's connection cannot open a file that is not there.
    const checkpointer = startWalCheckpointer(db, path.join(dir, 'missing.db'), 20)
    assert.ok(await until(() => autocheckpoint(db) === 1000))
    await checkpointer.stop()
    db.close()
  })
})
