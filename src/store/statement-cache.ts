import type BetterSqlite3 from 'better-sqlite3'
import type { SqliteDatabase, SqliteStatement } from 'kysely'

/**
 * Kysely prepares a new better-sqlite3 statement for every query. Preparing costs more than
 * running most of our queries, and each statement holds native memory until the garbage
 * collector, which does not see it, gets round to it. The same query shapes repeat endlessly,
 * so keep their statements (better-sqlite3 runs one statement at a time, so reuse is safe).
 */
export function cachingDatabase(database: BetterSqlite3.Database, capacity = 1000): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>()
  return {
    close: () => {
      statements.clear()
      database.close()
    },
    prepare(sql) {
      const cached = statements.get(sql)
      if (cached) {
        return cached
      }
      const statement = database.prepare(sql)
      if (statements.size >= capacity) {
        const oldest = statements.keys().next()
        if (!oldest.done) {
          statements.delete(oldest.value)
        }
      }
      statements.set(sql, statement)
      return statement
    },
  }
}
