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

/** `text` run at once as the SQLite connection's prepared statement. */
function runNow<Row>(cache: StatementCache, text: string, params: readonly unknown[]): Row[] {
  const { sqlite, order } = parse(text)
  const statement = cache.prepare(sqlite)
  const bound = order.map((i) => params[i])
  if (!statement.reader) {
    statement.run(bound)
    return []
  }
  return statement.all(bound) as Row[]
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
    // A transaction someone opened through Kysely holds the connection: wait for it, not join it.
    const sqlite = this.sqliteNow()
    if (sqlite) {
      return runNow(sqlite, text, params)
    }
    return (await this.db.executeQuery<Row>(this.compiled(text, params))).rows
  }

  /** Runs `text` (an INSERT, UPDATE or DELETE without RETURNING): how many rows it changed. */
  async changes(text: string, params: readonly unknown[]): Promise<number> {
    const sqlite = this.sqliteNow()
    if (sqlite) {
      const { sqlite: sqliteText, order } = parse(text)
      return sqlite.prepare(sqliteText).run(order.map((i) => params[i])).changes
    }
    return Number((await this.db.executeQuery(this.compiled(text, params))).numAffectedRows ?? 0)
  }

  /**
   * `statements` run in turn with `params`, each giving a row or ending it (`lastRow`): in one
   * synchronous transaction on the root SQLite store, else one after the other.
   */
  async lastRowOf<Row>(statements: readonly string[], params: readonly unknown[]): Promise<Row | undefined> {
    const now = this.syncTransaction((all) => ({ row: lastRow<Row>(statements, all, params) }))
    return now ? now.row : lastRowInTurn<Row>(statements, this, params)
  }

  /** The root SQLite store's statements, when nothing else holds its connection: run them now. */
  private sqliteNow(): StatementCache | undefined {
    return this.dialect === 'sqlite' && this.sqlite && !this.sqlite.database.inTransaction ? this.sqlite : undefined
  }

  /** `text` as Kysely runs it on `db`: this dialect's text and parameters, already compiled. */
  private compiled(text: string, params: readonly unknown[]): CompiledQuery {
    const { postgres, sqlite, order } = parse(text)
    return this.dialect === 'postgres'
      ? CompiledQuery.raw(postgres, params.map(withoutNul))
      : CompiledQuery.raw(
          sqlite,
          order.map((i) => params[i]),
        )
  }

  async first<Row>(text: string, params: readonly unknown[]): Promise<Row | undefined> {
    return (await this.all<Row>(text, params))[0]
  }

  /**
   * Runs `work` as one transaction on the root SQLite store, synchronously: one commit, and
   * nothing else runs meanwhile. `work` runs its statements with the `all` it is given. Undefined
   * (nothing ran) on PostgreSQL, and while a transaction holds the connection: the caller goes
   * its ordinary way then.
   */
  syncTransaction<T>(work: (all: <Row>(text: string, params: readonly unknown[]) => Row[]) => T): T | undefined {
    const sqlite = this.sqliteNow()
    if (!sqlite) {
      return undefined
    }
    return sqlite.database.transaction(() => work((text, params) => runNow(sqlite, text, params)))()
  }
}

/** Runs `statements` in turn with `params`, synchronously: the last one's first row, unless one gave none. */
export function lastRow<Row>(
  statements: readonly string[],
  all: <R>(text: string, params: readonly unknown[]) => R[],
  params: readonly unknown[],
): Row | undefined {
  let row: Row | undefined
  for (const text of statements) {
    row = all<Row>(text, params)[0]
    if (row === undefined) {
      return undefined
    }
  }
  return row
}

/** `lastRow` through `prepared`, each statement awaited. */
export async function lastRowInTurn<Row>(
  statements: readonly string[],
  prepared: Prepared,
  params: readonly unknown[],
): Promise<Row | undefined> {
  let row: Row | undefined
  for (const text of statements) {
    row = await prepared.first<Row>(text, params)
    if (row === undefined) {
      return undefined
    }
  }
  return row
}
