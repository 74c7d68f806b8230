// What one evaluation step leaves (DESIGN §3): the proposal's data, its notified flag, the log
// lines its blocks wrote and the lease's release, written together at the step's end. On SQLite
// in one synchronous transaction of prepared statements (nothing else can run while it is
// open, so no other evaluation ever waits on it); on PostgreSQL in one statement (one round
// trip, one commit).
import type BetterSqlite3 from 'better-sqlite3'
import { sql, type Kysely } from 'kysely'
import type { JsonObject } from '../domain/json.ts'
import type { Database } from './database.ts'
import { withoutNul } from './nul-free-strings.ts'
import type { LogInput, StepWrites } from './store.ts'

/** A proposal row as written back by the step (its columns, its lease token and requests). */
export type StepRow = Record<string, unknown> & { lease_token: string | null; recheck_requested?: number }

/** A line without an action may still be about a platform (a Slack uninstall names it in its details). */
export function detailsPlatform(details: JsonObject | null | undefined): string | null {
  const platform = details?.['platform']
  return typeof platform === 'string' ? platform : null
}

/** The lease is kept (and reported) only when a re-check was requested while it was held. */
const keep = `(recheck_requested > 0 and status = 'proposed')`
const ours = `lease_token = :token`

/**
 * How a step lets go of the proposal: not at all, the lease `:token` holds (`release`), or the
 * re-check requests `:answered` counts, answered under the proposal's lock (`answer`).
 */
type LetGo = 'none' | 'release' | 'answer'

/**
 * The proposal's UPDATE, in both dialects (named parameters filled in by each): data and flag
 * always; the lease only when `:token` holds it (else it stays the other holder's); the requests
 * only when none came since they were read (else the holder re-checks again).
 */
function updateText(columns: readonly string[], letGo: LetGo): string {
  const release =
    letGo === 'release'
      ? `,
      lease_token = case when ${ours} and not ${keep} then null else lease_token end,
      lease_until = case when ${ours} and not ${keep} then null else lease_until end,
      lease_owner = case when ${ours} and not ${keep} then null else lease_owner end,
      recheck_requested = case when ${ours} then 0 else recheck_requested end`
      : letGo === 'answer'
        ? `,
      recheck_requested = case when recheck_requested = :answered then 0 else recheck_requested end`
        : ''
  return `update proposals set
      data = coalesce(:data, data),
      notified = case when :notified = 1 then 1 else notified end${release}
    where community_id = :community and id = :proposal${
      letGo === 'none'
        ? ''
        : `
    returning ${columns.join(', ')}, lease_token, recheck_requested`
    }`
}

/** A log line's parameters, in the order `insertLogRowText` numbers them. */
const logParamOrder = [
  'platform',
  'community',
  'proposal',
  'action',
  'policy',
  'level',
  'message',
  'details',
  'now',
] as const

/** A log line's INSERT, its parameters numbered (`$1`…`$9`, as `logRow` gives them) for `Prepared`. */
export const insertLogRowText = `insert into evaluation_logs (platform, community_id, proposal_id, action_id, policy_id,
    level, message, details, created_at)
  values (case when $4 is null then $1 else (select platform from actions where id = $4) end,
    $2, $3, $4, $5, $6, $7, $8, $9)`

/** The same INSERT with named parameters (`:action`…), for the step writer's own statement. */
const insertLogText = insertLogRowText.replace(/\$(\d)/g, (_, n: string) => `:${logParamOrder[Number(n) - 1] ?? ''}`)

/** A log line's parameters for `insertLogRowText`. */
export function logRow(community: number, entry: LogInput): unknown[] {
  const params = { ...logParams(entry), community }
  return logParamOrder.map((name) => params[name])
}

interface LogParams {
  platform: string | null
  proposal: number | null
  action: number | null
  policy: number | null
  level: string
  message: string
  details: string | null
  now: number
}

function logParams(entry: LogInput): LogParams {
  const action = entry.actionId ?? null
  return {
    platform: action === null ? detailsPlatform(entry.details) : null,
    proposal: entry.proposalId ?? null,
    action,
    policy: entry.policyId ?? null,
    level: entry.level,
    message: entry.message,
    details: entry.details ? JSON.stringify(entry.details) : null,
    now: entry.now,
  }
}

/**
 * The proposal's UPDATE parameters for a step, and whether it has one: a lease to let go, data
 * or the notified flag to write (else only its log lines are written, if any).
 */
function proposalStep(community: number, proposal: number, writes: StepWrites) {
  const letGo: LetGo = writes.releaseToken !== undefined ? 'release' : writes.answered !== undefined ? 'answer' : 'none'
  const values = {
    community,
    proposal,
    data: writes.data === undefined ? null : JSON.stringify(writes.data),
    notified: writes.notified ? 1 : 0,
    token: writes.releaseToken ?? null,
    answered: writes.answered ?? 0,
  }
  return { letGo, touches: letGo !== 'none' || values.data !== null || values.notified === 1, values }
}

/** The statements, prepared once per connection; better-sqlite3 runs them synchronously. */
export class SqliteStepWriter {
  private readonly database: BetterSqlite3.Database
  private readonly update: Record<LetGo, BetterSqlite3.Statement>
  private readonly insertLog: BetterSqlite3.Statement
  private readonly write: (community: number, proposal: number, writes: StepWrites) => StepRow | undefined

  constructor(database: BetterSqlite3.Database, columns: readonly string[]) {
    this.database = database
    const named = (text: string) => text.replace(/:(\w+)/g, '@$1')
    const prepare = (letGo: LetGo) => database.prepare(named(updateText(columns, letGo)))
    this.update = { none: prepare('none'), release: prepare('release'), answer: prepare('answer') }
    this.insertLog = database.prepare(named(insertLogText))
    this.write = database.transaction((community: number, proposal: number, writes: StepWrites) => {
      this.insertLogs(community, writes.logs)
      const { letGo, touches, values } = proposalStep(community, proposal, writes)
      if (letGo !== 'none') {
        return this.update[letGo].get(values) as StepRow | undefined
      }
      if (touches) {
        this.update.none.run(values)
      }
      return undefined
    })
  }

  /** The log lines, in the transaction open on the connection (or each in its own). */
  insertLogs(community: number, logs: readonly LogInput[]): void {
    for (const entry of logs) {
      this.insertLog.run({ ...logParams(entry), community })
    }
  }

  /**
   * False when the connection is inside a transaction someone else opened (through Kysely):
   * writing now would join it, so the caller goes the ordinary way, which waits its turn.
   */
  get available(): boolean {
    return !this.database.inTransaction
  }

  run(community: number, proposal: number, writes: StepWrites): StepRow | undefined {
    return this.write(community, proposal, writes)
  }
}

/**
 * Log lines as one JSON parameter, for PostgreSQL's `jsonb_to_recordset` (platform, proposal,
 * action, policy, level, message, details, now), without the NUL characters its text refuses.
 */
export function postgresLogRows(logs: readonly LogInput[]): string {
  return JSON.stringify(
    logs.map((entry) => {
      const p = logParams(entry)
      return { ...p, message: withoutNul(p.message), details: p.details === null ? null : withoutNul(p.details) }
    }),
  )
}

/** The PostgreSQL statement: the log lines inserted and the proposal updated in one round trip. */
export async function postgresStep(
  db: Kysely<Database>,
  columns: readonly string[],
  community: number,
  proposal: number,
  writes: StepWrites,
): Promise<StepRow | undefined> {
  const logs = postgresLogRows(writes.logs)
  const { letGo, touches, values } = proposalStep(community, proposal, writes)
  const insert = `insert into evaluation_logs (platform, community_id, proposal_id, action_id, policy_id, level,
      message, details, created_at)
    select case when l.action is null then l.platform else (select platform from actions a where a.id = l.action) end,
      :community, l.proposal, l.action, l.policy, l.level, l.message, l.details, l.now
    from rows from (jsonb_to_recordset(cast(:logs as jsonb)) as (platform text, proposal integer,
        action integer, policy integer, level text, message text, details text, now bigint)) with ordinality
      as l(platform, proposal, action, policy, level, message, details, now, n)
    order by l.n`
  if (!touches && writes.logs.length === 0) {
    return undefined
  }
  const update = updateText(columns, letGo)
  const text = !touches ? insert : writes.logs.length > 0 ? `with logged as (${insert}) ${update}` : update
  const query = withParameters(text, { ...values, logs })
  const rows = await sql<StepRow>`${query}`.execute(db)
  return rows.rows[0]
}

/**
 * The proposal's part of a step through Kysely, on SQLite inside a transaction (whose connection
 * the synchronous writer may not use): the same UPDATE, bound by Kysely. The log lines are the
 * caller's to write first.
 */
export async function sqliteStepUpdate(
  db: Kysely<Database>,
  columns: readonly string[],
  community: number,
  proposal: number,
  writes: StepWrites,
): Promise<StepRow | undefined> {
  const { letGo, touches, values } = proposalStep(community, proposal, writes)
  if (!touches) {
    return undefined
  }
  const rows = await sql<StepRow>`${withParameters(updateText(columns, letGo), values)}`.execute(db)
  return rows.rows[0]
}

/** Turns `:name` placeholders into Kysely parameters (each occurrence bound by value). */
function withParameters(text: string, values: Record<string, unknown>) {
  const parts = text.split(/:(\w+)/g)
  return sql.join(
    parts.map((part, i) => (i % 2 === 0 ? sql.raw(part) : sql.val(values[part]))),
    sql.raw(''),
  )
}
