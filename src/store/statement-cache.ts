import type BetterSqlite3 from 'better-sqlite3'
import type { SqliteDatabase, SqliteStatement } from 'kysely'

/**
 * Kysely prepares a new better-sqlite3 statement for every query. Preparing costs more than
 * running most of our queries, and each statement holds native memory until the garbage
 * collector, which does not see it, gets round to it. The same query shapes repeat endlessly,
 * so keep their statements (better-sqlite3 runs one statement at a time, so reuse is safe).
 */
export class StatementCache {
  readonly database: BetterSqlite3.Database
  private readonly capacity: number
  private readonly statements = new Map<string, BetterSqlite3.Statement>()

  constructor(database: BetterSqlite3.Database, capacity = 1000) {
    this.database = database
    this.capacity = capacity
  }

  /** The statement of `sql`, prepared at its first use and kept (the oldest goes past capacity). */
  prepare(sql: string): BetterSqlite3.Statement {
    const cached = this.statements.get(sql)
    if (cached) {
      return cached
    }
    const statement = this.database.prepare(sql)
    if (this.statements.size >= this.capacity) {
      const oldest = this.statements.keys().next()
      if (!oldest.done) {
        this.statements.delete(oldest.value)
      }
    }
    this.statements.set(sql, statement)
    return statement
  }

  close(): void {
    this.statements.clear()
    this.database.close()
  }
}

/** The cache as Kysely's SQLite dialect takes a database. */
export function cachingDatabase(cache: StatementCache): SqliteDatabase {
  return {
    close: () => cache.close(),
    prepare: (sql): SqliteStatement => cache.prepare(sql),
  }
}
