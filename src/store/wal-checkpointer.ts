// SQLite's write-ahead log is copied back into the database file by a checkpoint, which waits
// for the disk (fsync): measured here, about 0.4 ms plus 10 µs a page of log. Left to SQLite, it
// runs inside whichever commit crosses 1,000 pages of log, on the thread that serves requests:
// that commit, and everything queued behind it, waits a dozen milliseconds (the slowest 1% of
// votes). Here the log is checkpointed every `everyMs` (PASSIVE: never waiting for, or blocking,
// the writer), by the serving thread itself while writes are few (a small log is a millisecond
// or two), and by a thread of its own, with a connection of its own, while they are many: that
// thread is a V8 isolate (about 9 MiB), so it runs only while the writes warrant it.
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

/** SQLite's own threshold, in pages, for when no thread checkpoints. */
const sqliteDefault = 1000
/**
 * While the thread runs, the serving connection still checkpoints past this many pages (40 MB
 * of log): writes faster than the thread can keep up with (it needs a moment without a writer
 * to start the log afresh) never grow it without bound.
 */
const safetyNet = 10_000

export interface WalCheckpointerOptions {
  /** How often the log is checkpointed, ms. */
  everyMs?: number
  /**
   * Rows written between two checkpoints above which the thread takes them over (a row is a
   * few pages of log: 32 rows keep the serving thread's checkpoint near a millisecond).
   */
  threadAboveRows?: number
  /** Pages of log one serving-thread checkpoint found above which the thread takes over. */
  threadAbovePages?: number
  /** How long writes stay at or below `threadAboveRows` before the thread ends, ms. */
  quietMs?: number
}

export interface WalCheckpointer {
  /** Whether the thread takes the checkpoints now (or is starting to). */
  readonly threaded: boolean
  stop(): Promise<void>
}

/**
 * Checkpoints `path`'s log every `everyMs`: on `database`'s own thread while writes are few, on
 * a thread of its own while they are many. Until that thread is ready, and after it ends or
 * fails, `database` also checkpoints as SQLite does by default; after a failure no thread starts
 * again.
 */
export function startWalCheckpointer(
  database: BetterSqlite3.Database,
  path: string,
  options: WalCheckpointerOptions = {},
): WalCheckpointer {
  const { everyMs = 250, threadAboveRows = 32, threadAbovePages = 128, quietMs = 30_000 } = options
  const driver = createRequire(import.meta.url).resolve('better-sqlite3')
  // Rows inserted, updated or deleted through this connection since it opened.
  const changes = database.prepare('select total_changes()').pluck()
  const totalChanges = (): number | null => {
    try {
      return Number(changes.get())
    } catch {
      // The connection is busy with a statement it reads rows from: the next look counts.
      return null
    }
  }
  let seenChanges = totalChanges() ?? 0
  let checkpointedChanges = seenChanges
  let thread: Worker | null = null
  let ending = false
  let failed = false
  let busyAt = 0

  const setAutocheckpoint = (pages: number) => {
    if (database.open) {
      database.pragma(`wal_autocheckpoint = ${pages}`)
    }
  }

  function startThread() {
    const worker = new Worker(program, {
      eval: true,
      workerData: { driver, path, everyMs },
      // A few objects and a timer: the smallest heap V8 allows.
      resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16 },
    })
    // It never keeps the process alive on its own.
    worker.unref()
    thread = worker
    ending = false
    worker.once('message', () => {
      if (thread === worker && !ending) {
        setAutocheckpoint(safetyNet)
      }
    })
    // A failed checkpoint (the disk, say) ends the thread: the serving connection takes over.
    worker.on('error', () => {
      failed = true
    })
    worker.once('exit', () => {
      if (thread === worker) {
        thread = null
        setAutocheckpoint(sqliteDefault)
      }
    })
  }

  function endThread(): Promise<void> {
    const worker = thread
    if (worker === null) {
      return Promise.resolve()
    }
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()))
    if (!ending) {
      ending = true
      setAutocheckpoint(sqliteDefault)
      // Held now, so that the process waits for the thread's connection to close.
      worker.ref()
      worker.postMessage('stop')
    }
    return exited
  }

  function look() {
    if (!database.open) {
      return
    }
    const total = totalChanges()
    if (total === null) {
      return
    }
    const written = total - seenChanges
    seenChanges = total
    const now = performance.now()
    if (written > threadAboveRows) {
      busyAt = now
    }
    if (thread !== null) {
      if (!ending && now - busyAt >= quietMs) {
        void endThread()
      }
      return
    }
    // Not inside a transaction the connection has open (an async one, between its statements).
    if (total === checkpointedChanges || database.inTransaction) {
      return
    }
    if (written > threadAboveRows && !failed) {
      startThread()
      return
    }
    checkpointedChanges = total
    try {
      const [result] = database.pragma('wal_checkpoint(PASSIVE)') as Array<{ log: number }>
      if ((result?.log ?? 0) > threadAbovePages && !failed) {
        busyAt = now
        startThread()
      }
    } catch {
      // The disk, say: the next commit's own checkpoint meets the same error and reports it.
    }
  }

  const timer = setInterval(look, everyMs)
  timer.unref()
  return {
    get threaded() {
      return thread !== null && !ending
    },
    // Ending the thread hands checkpoints back to SQLite's default; without one they never left it.
    async stop() {
      clearInterval(timer)
      await endThread()
    },
  }
}
