// SQLite's write-ahead log is copied back into the database file by a checkpoint, which waits
// for the disk (fsync). Left to SQLite, it runs inside whichever commit crosses 1,000 pages of
// log, on the thread that serves requests: that commit, and everything queued behind it, waits
// several milliseconds (the slowest 1% of votes). Here a thread of its own, with a connection of
// its own, checkpoints the log every `everyMs` (PASSIVE: it never waits for, or blocks, the
// writer), and the serving connection checkpoints only if that thread stops or falls far behind.
import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'
import type BetterSqlite3 from 'better-sqlite3'

/** The thread's whole program (CommonJS, run with `eval`: no file to find once bundled). */
const program = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.driver)
const db = new Database(workerData.path, { fileMustExist: true })
db.pragma('busy_timeout = 5000')
db.pragma('synchronous = NORMAL')
db.pragma('cache_size = 8')
const timer = setInterval(() => db.pragma('wal_checkpoint(PASSIVE)'), workerData.everyMs)
parentPort.on('message', () => {
  clearInterval(timer)
  db.close()
  parentPort.close()
})
parentPort.postMessage('ready')
`

/** SQLite's own threshold, in pages, for when this thread is gone. */
const sqliteDefault = 1000
/**
 * While the thread runs, the serving connection still checkpoints past this many pages (40 MB
 * of log): writes faster than the thread can keep up with (it needs a moment without a writer
 * to start the log afresh) never grow it without bound.
 */
const safetyNet = 10_000

export interface WalCheckpointer {
  stop(): Promise<void>
}

/**
 * Starts checkpointing `path`'s log on its own thread; until it is ready, and after it stops or
 * fails, `database` checkpoints as SQLite does by default.
 */
export function startWalCheckpointer(database: BetterSqlite3.Database, path: string, everyMs = 250): WalCheckpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3')
  const worker = new Worker(program, {
    eval: true,
    workerData: { driver, path, everyMs },
    // A few objects and a timer: the smallest heap V8 allows.
    resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16 },
  })
  // It never keeps the process alive on its own.
  worker.unref()
  let running = true
  const fallBack = () => {
    if (running && database.open) {
      database.pragma(`wal_autocheckpoint = ${sqliteDefault}`)
    }
    running = false
  }
  worker.once('message', () => {
    if (running && database.open) {
      database.pragma(`wal_autocheckpoint = ${safetyNet}`)
    }
  })
  // A failed checkpoint (the disk, say) ends the thread: the serving connection takes over.
  worker.on('error', fallBack)
  worker.once('exit', fallBack)
  return {
    async stop() {
      if (!running) {
        return
      }
      fallBack()
      const exited = new Promise((resolve) => worker.once('exit', resolve))
      // Held now, so that the process waits for the thread's connection to close.
      worker.ref()
      worker.postMessage('stop')
      await exited
    },
  }
}
