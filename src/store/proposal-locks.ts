// Who re-checks a pending proposal (DESIGN §3): one evaluation at a time per proposal, across
// every process on the database, without writing anything to say so. A re-check that changes
// nothing then writes nothing. On PostgreSQL the lock is a session advisory lock on a
// connection of its own, which PostgreSQL lets go when the process dies; on SQLite it is held in
// this process, and only the process that holds the database's re-check lock file takes them
// (the operating system lets go of that file's lock when the process dies).
import SqliteDatabase from 'better-sqlite3'
import { sql, type RawBuilder } from 'kysely'
import type { Client } from 'pg'
import { makePrivateFile } from './make-private.ts'

/** A schema's proposal locks are in the lock space `hashtext('<schema>' || this)`. */
const spaceSuffix = '.policykit.proposals'

/**
 * The lock space of `schema`'s proposals as `pg_locks.classid` shows it (an oid: the hash taken
 * as unsigned), for finding who holds which proposal (tests, the bench).
 */
export function proposalLockSpaceOid(schema: string): RawBuilder<number> {
  return sql<number>`(hashtext(${schema + spaceSuffix})::bigint + 4294967296) % 4294967296`
}

/** What trying a proposal's lock found. */
export type LockAttempt =
  /** Taken: the caller holds it until `unlock`. */
  | 'taken'
  /** Held in this process: its holder was asked to re-check once more before letting go. */
  | 'asked'
  /** Held by another process (or, on SQLite, re-checks are another process's to take). */
  | 'elsewhere'

export interface ProposalLocks {
  tryLock(proposalId: number): Promise<LockAttempt>
  /**
   * For the holder: whether someone in this process asked for a re-check since the lock was taken
   * or this was last called (the request is consumed).
   */
  takeRequest(proposalId: number): boolean
  /** Lets go; true when someone in this process asked for a re-check after the last `takeRequest`. */
  unlock(proposalId: number): Promise<boolean>
  /**
   * True when no other process can hold a proposal's lock while this one does not (SQLite, this
   * process holding the lock file): a request from elsewhere cannot arrive, so the holder need not
   * look for one after letting go.
   */
  readonly alone: boolean
  close(): Promise<void>
}

/** The locks of this process: the holder of each proposal, and whether it was asked again. */
class LocalLocks {
  private readonly held = new Map<number, { asked: boolean }>()

  /** True when taken; else the holder is asked to re-check once more. */
  take(proposalId: number): boolean {
    const holder = this.held.get(proposalId)
    if (holder) {
      holder.asked = true
      return false
    }
    this.held.set(proposalId, { asked: false })
    return true
  }

  takeRequest(proposalId: number): boolean {
    const holder = this.held.get(proposalId)
    const asked = holder?.asked ?? false
    if (holder) {
      holder.asked = false
    }
    return asked
  }

  /** True when the holder was asked again since its last `takeRequest`. */
  release(proposalId: number): boolean {
    const asked = this.held.get(proposalId)?.asked ?? false
    this.held.delete(proposalId)
    return asked
  }
}

/**
 * SQLite: `path`'s re-check lock file (`<path>-locks`), held by an exclusive transaction left
 * open, so at most one process takes re-checks; a process that cannot get it tries again at its
 * next re-check (it becomes the one when the holder stops). An in-memory database is this
 * process's alone.
 */
export function sqliteProposalLocks(path: string): ProposalLocks {
  const local = new LocalLocks()
  let file: SqliteDatabase.Database | undefined
  const holdsFile = (): boolean => {
    if (path === ':memory:' || file) {
      return true
    }
    const lockPath = `${path}-locks`
    makePrivateFile(lockPath, { create: true })
    const candidate = new SqliteDatabase(lockPath)
    try {
      candidate.pragma('busy_timeout = 0')
      candidate.exec('begin exclusive')
      file = candidate
      return true
    } catch (e) {
      candidate.close()
      if (e instanceof SqliteDatabase.SqliteError && e.code === 'SQLITE_BUSY') {
        return false
      }
      throw e
    }
  }
  return {
    get alone() {
      return path === ':memory:' || file !== undefined
    },
    tryLock(proposalId) {
      if (!holdsFile()) {
        return Promise.resolve('elsewhere')
      }
      return Promise.resolve(local.take(proposalId) ? 'taken' : 'asked')
    },
    takeRequest: (proposalId) => local.takeRequest(proposalId),
    unlock: (proposalId) => Promise.resolve(local.release(proposalId)),
    close() {
      file?.close()
      file = undefined
      return Promise.resolve()
    },
  }
}

/**
 * PostgreSQL: `pg_try_advisory_lock(space, proposalId)` on a connection of its own (opened by
 * `connect` when first needed, and again after it broke: its locks went with it). `space` is
 * the schema's, so two installations in one database never share a lock.
 */
export function postgresProposalLocks(connect: () => Promise<Client>): ProposalLocks {
  const local = new LocalLocks()
  let session: Promise<{ client: Client; space: number }> | undefined
  /** The connection each lock was taken on: the one to let go on (a later one holds none of them). */
  const heldOn = new Map<number, { client: Client; space: number }>()
  const open = async (): Promise<{ client: Client; space: number }> => {
    const client = await connect()
    client.on('error', () => {
      // Its locks are gone with it; the next lock opens another connection.
      session = undefined
      client.end().catch(() => {})
    })
    const { rows } = await client.query<{ space: number }>('select hashtext(current_schema() || $1) as space', [
      spaceSuffix,
    ])
    const space = rows[0]?.space
    if (space === undefined) {
      throw new Error('PostgreSQL gave no lock space')
    }
    return { client, space }
  }
  const connection = (): Promise<{ client: Client; space: number }> => {
    session ??= open().catch((e: unknown) => {
      session = undefined
      throw e
    })
    return session
  }
  return {
    alone: false,
    async tryLock(proposalId) {
      if (!local.take(proposalId)) {
        return 'asked'
      }
      try {
        const current = await connection()
        const { rows } = await current.client.query<{ locked: boolean }>(
          'select pg_try_advisory_lock($1, $2) as locked',
          [current.space, proposalId],
        )
        if (rows[0]?.locked) {
          heldOn.set(proposalId, current)
          return 'taken'
        }
      } catch (e) {
        local.release(proposalId)
        throw e
      }
      local.release(proposalId)
      return 'elsewhere'
    },
    takeRequest: (proposalId) => local.takeRequest(proposalId),
    async unlock(proposalId) {
      const holder = heldOn.get(proposalId)
      heldOn.delete(proposalId)
      try {
        await holder?.client.query('select pg_advisory_unlock($1, $2)', [holder.space, proposalId])
      } catch {
        // The connection broke: PostgreSQL let go of its locks already.
      }
      return local.release(proposalId)
    },
    async close() {
      const current = session
      session = undefined
      if (current) {
        await (await current.catch(() => undefined))?.client.end()
      }
    },
  }
}
