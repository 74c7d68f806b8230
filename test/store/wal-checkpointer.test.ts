import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, describe, it } from 'node:test'
import Database from 'better-sqlite3'
import { startWalCheckpointer } from '../../src/store/wal-checkpointer.ts'
import { until } from '../support/until.ts'

const autocheckpoint = (db: Database.Database) => db.pragma('wal_autocheckpoint', { simple: true })

describe('sqlite: the write-ahead log checkpointed every few milliseconds', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'policykit-wal-'))
  after(() => rmSync(dir, { recursive: true, force: true }))
  let files = 0

  /** A database in WAL mode with one table, which SQLite itself would not checkpoint yet. */
  function openDatabase() {
    const file = path.join(dir, `policykit-${(files += 1)}.db`)
    const db = new Database(file)
    db.pragma('journal_mode = WAL')
    db.exec('create table t (x text)')
    const insert = db.prepare('insert into t values (?)')
    const write = (rows: number, size = 1000) => {
      for (let i = 0; i < rows; i++) {
        insert.run('x'.repeat(size))
      }
    }
    // The rows are in the log; only a checkpoint copies them into the database file.
    const size = () => statSync(file).size
    return { db, file, write, size }
  }

  it('copies a lightly written log back on the serving connection, with no thread', async () => {
    const { db, file, write, size } = openDatabase()
    const checkpointer = startWalCheckpointer(db, file, { everyMs: 10, threadAboveRows: 50 })
    try {
      const sizeBefore = size()
      let threaded = false
      for (let i = 0; i < 10; i++) {
        write(5)
        await new Promise((resolve) => setTimeout(resolve, 15))
        threaded ||= checkpointer.threaded
      }
      assert.ok(await until(() => size() > sizeBefore + 40 * 1024), 'the log was copied into the database file')
      assert.equal(threaded, false, 'no thread was started for 5 rows at a time')
      assert.equal(autocheckpoint(db), 1000)
    } finally {
      await checkpointer.stop()
      db.close()
    }
  })

  it('hands a heavily written log to a thread, and takes it back once the writes slow down', async () => {
    const { db, file, write, size } = openDatabase()
    const checkpointer = startWalCheckpointer(db, file, { everyMs: 10, threadAboveRows: 20, quietMs: 300 })
    try {
      write(100)
      assert.ok(
        await until(() => checkpointer.threaded && autocheckpoint(db) === 10_000),
        'the thread took over, and the serving connection leaves checkpoints to it',
      )
      const sizeBefore = size()
      write(200)
      // The serving connection makes no checkpoint below 10,000 pages: the thread copied these.
      assert.ok(await until(() => size() > sizeBefore + 100 * 1024), 'the thread copied the log into the database file')
      assert.ok(await until(() => !checkpointer.threaded), 'the thread ended once nothing more was written')
      assert.equal(autocheckpoint(db), 1000, 'SQLite checkpoints as it does by default again')
      const sizeAfter = size()
      write(5)
      assert.ok(await until(() => size() > sizeAfter), 'the serving connection checkpoints again')
    } finally {
      await checkpointer.stop()
      db.close()
    }
  })

  it('hands the log to a thread when few rows made a long one', async () => {
    const { db, file, write } = openDatabase()
    const checkpointer = startWalCheckpointer(db, file, { everyMs: 10, threadAboveRows: 20, threadAbovePages: 40 })
    try {
      // Three rows of 100 KB: about 75 pages of log.
      write(3, 100_000)
      assert.ok(await until(() => checkpointer.threaded))
    } finally {
      await checkpointer.stop()
    }
    assert.equal(checkpointer.threaded, false)
    assert.equal(autocheckpoint(db), 1000, 'stopped, SQLite checkpoints as it does by default')
    db.close()
  })

  it('hands checkpoints back to the serving connection when the thread fails, and starts no other', async () => {
    const db = new Database(':memory:')
    db.exec('create table t (x text)')
    db.pragma('wal_autocheckpoint = 5')
    const insert = db.prepare('insert into t values (?)')
    // The thread's connection cannot open a file that is not there.
    const checkpointer = startWalCheckpointer(db, path.join(dir, 'missing.db'), { everyMs: 10, threadAboveRows: 20 })
    try {
      for (let i = 0; i < 100; i++) {
        insert.run('x')
      }
      assert.ok(await until(() => autocheckpoint(db) === 1000), 'SQLite checkpoints as it does by default')
      assert.ok(await until(() => !checkpointer.threaded))
      for (let i = 0; i < 100; i++) {
        insert.run('x')
      }
      await new Promise((resolve) => setTimeout(resolve, 50))
      assert.equal(checkpointer.threaded, false, 'no thread started after one failed')
    } finally {
      await checkpointer.stop()
      db.close()
    }
  })
})
