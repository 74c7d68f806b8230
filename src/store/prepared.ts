import { CompiledQuery, type Kysely } from 'kysely'
import type { Database } from './database.ts'
import { withoutNul } from './nul-free-strings.ts'
import type { StatementCache } from './statement-cache.ts'
import type { Dialect } from './store.ts'

/** A statement of the evaluation's hot path, written once as SQL both dialects accept. */
interface Text {
  /** PostgreSQL's text: parameters `$1`, `$2`…, each may appear more than once. */
  postgres: string
  /** SQLite's: each `$n` became `?`, bound in order of appearance (`order`: their numbers). */
  sqlite: string
  order: number[]
}

const parsed = new Map<string, Text>()

function parse(text: string): Text {
  let known = parsed.get(text)
  if (!known) {
    const order: number[] = []
    const sqlite = text.replace(/\$(\d+)/g, (_, n: string) => {
      order.push(Number(n) - 1)
      return '?'
    })
    known = { postgres: text, sqlite, order }
    parsed.set(text, known)
  }
  return known
}

/**
 * Statements of the evaluation's hot path as plain SQL, with none of Kysely's building and
 * compiling on every call (which a profile showed costing more than SQLite's own work). On the
 * root SQLite store they run as better-sqlite3 prepared statements, directly and synchronously;
 * inside a transaction, and on PostgreSQL, through Kysely's connection (`db`), already compiled.
 */
export class Prepared {
  private readonly db: Kysely<Database>
  private readonly dialect: Dialect
  private readonly sqlite: StatementCache | undefined

  /**
   * `sqlite`: the statements of the connection under `db` (the same cache Kysely's queries use),
   * when `db` is the root store on SQLite, not a transaction.
   */
  constructor(db: Kysely<Database>, dialect: Dialect, sqlite?: StatementCache) {
    this.db = db
    this.dialect = dialect
    this.sqlite = sqlite
  }

  /** The rows `text` returns with `params` (`$1` is `params[0]`). */
  async all<Row>(text: string, params: readonly unknown[]): Promise<Row[]> {
    const { postgres, sqlite, order } = parse(text)
    if (this.dialect === 'postgres') {
      const result = await this.db.executeQuery<Row>(CompiledQuery.raw(postgres, params.map(withoutNul)))
      return result.rows
    }
    const bound = order.map((i) => params[i])
    // A transaction someone opened through Kysely holds the connection: wait for it, not join it.
    if (this.sqlite && !this.sqlite.database.inTransaction) {
      const statement = this.sqlite.prepare(sqlite)
      if (!statement.reader) {
        statement.run(bound)
        return []
      }
      return statement.all(bound) as Row[]
    }
    const result = await this.db.executeQuery<Row>(CompiledQuery.raw(sqlite, bound))
    return result.rows
  }

  async first<Row>(text: string, params: readonly unknown[]): Promise<Row | undefined> {
    return (await this.all<Row>(text, params))[0]
  }
}
