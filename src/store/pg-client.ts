import pg from 'pg'

/**
 * Statements one connection keeps prepared, at most; past that, a new statement runs unnamed (as
 * every statement does without `PreparingClient`). The application and pg-boss run well under
 * a hundred distinct statements; the rest come from lists of varying length (`in ($1, $2, …)`).
 */
export const maxPreparedPerConnection = 200

/** Statements a connection remembers it saw once (waiting for a second run), or found not preparable. */
const maxRemembered = 1000

function remember(texts: Set<string>, text: string): void {
  if (texts.size >= maxRemembered) {
    texts.clear()
  }
  texts.add(text)
}

/**
 * node-postgres's client, keeping the statements it runs more than once as the server's prepared
 * statements (named, parsed and planned once per connection): measured on PostgreSQL 15 with a
 * worker re-checking and carrying out decisions, parsing and planning were about half of the
 * server's time in our statements and pg-boss's, and preparing them raised the proposals one
 * worker decided a second by about a quarter.
 *
 * Only a statement with parameters is prepared (one without may hold several commands, which a
 * prepared statement cannot), on its second run on the connection, and never one whose columns
 * include a star (`preparable`): a prepared statement's columns are fixed, and a migration that
 * adds a column to a table read with `select *` or `returning *` would make every later run of it
 * fail ("cached plan must not change result type") in the processes of the version before, which
 * keep running while a new version rolls out. Columns named one by one do not change when one is
 * added.
 */
class Preparing extends pg.Client {
  private readonly names = new Map<string, string>()
  private readonly seenOnce = new Set<string>()
  private readonly starred = new Set<string>()

  // node-postgres's overloads, passed through; only (text, values[, callback]) is looked at.
  override query(...args: unknown[]): never {
    const [text, values, callback] = args
    if (typeof text === 'string' && Array.isArray(values) && values.length > 0) {
      const name = this.nameFor(text)
      if (name !== undefined) {
        return (super.query as (...a: unknown[]) => never)({ name, text, values }, callback)
      }
    }
    return (super.query as (...a: unknown[]) => never)(...args)
  }

  /** The prepared statement's name for `text`, if it is (or now becomes) one. */
  private nameFor(text: string): string | undefined {
    const known = this.names.get(text)
    if (known !== undefined) {
      return known
    }
    if (this.names.size >= maxPreparedPerConnection || this.starred.has(text)) {
      return undefined
    }
    if (!preparable(text)) {
      remember(this.starred, text)
      return undefined
    }
    if (!this.seenOnce.has(text)) {
      remember(this.seenOnce, text)
      return undefined
    }
    this.seenOnce.delete(text)
    const name = `policykit_${this.names.size + 1}`
    this.names.set(text, name)
    return name
  }
}

/** Typed as node-postgres's own client, its `query` overloads and all. */
export const PreparingClient: typeof pg.Client = Preparing

/**
 * Whether a statement's columns stay the same when a migration adds one (see `PreparingClient`):
 * no column star (`select *`, `returning *`, `t.*`) outside parentheses, where the statement's
 * own columns are named. A star inside parentheses (a subquery, `count(*)`) does not reach them.
 */
export function preparable(text: string): boolean {
  const unquoted = text.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*/g, ' ')
  let depth = 0
  let outside = ''
  for (const char of unquoted) {
    if (char === '(') {
      depth++
    } else if (char === ')') {
      depth--
    } else if (depth === 0) {
      outside += char
    }
  }
  return !/(?:\bselect\s+(?:distinct\s+)?|\breturning\s+|,\s*|\.)\*/i.test(outside)
}
