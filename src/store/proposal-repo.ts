import { sql, type Kysely, type Selectable } from 'kysely'
import type { Action } from '../domain/action.ts'
import type { Proposal, ProposalStatus } from '../domain/proposal.ts'
import { AppError } from '../errors.ts'
import {
  actionColumnNames,
  deliveredBefore,
  insertActionParams,
  insertActionSql,
  insertActionText,
  toAction,
} from './action-repo.ts'
import type { ActionsTable, Database, ProposalsTable } from './database.ts'
import { z } from 'zod'
import { isUniqueViolation, parseEnum, parseJsonAs, parseJsonObject, newestFirst } from './rows.ts'
import { createLogRepo } from './log-repo.ts'
import { lastRow, lastRowInTurn, type Prepared } from './prepared.ts'
import type { StatementCache } from './statement-cache.ts'
import { postgresLogRows, postgresStep, SqliteStepWriter, sqliteStepUpdate, type StepRow } from './step-writes.ts'
import type { ActionInput, DecisionCount, Dialect, NewIds, NewProposal, ProposalRepo, StepWrites } from './store.ts'

const dayMs = 86_400_000

const memberIdsSchema = z.array(z.number().int())
const voteOptionsSchema = z.array(z.string())

const statuses = ['proposed', 'passed', 'failed', 'errored'] as const satisfies readonly ProposalStatus[]

/** The columns a Proposal is made of (the lease and the other once-flag stay inside the store). */
const columns = [
  'id',
  'community_id',
  'number',
  'action_id',
  'policy_id',
  'policy_version_id',
  'status',
  'proposed_at',
  'decided_at',
  'vote_post_id',
  'vote_url',
  'vote_platform',
  'eligible_voters',
  'vote_text',
  'vote_options',
  'data',
  'notified',
] as const

type ProposalRow = Pick<Selectable<ProposalsTable>, (typeof columns)[number]>

function toProposal(row: ProposalRow): Proposal {
  return {
    id: row.id,
    communityId: row.community_id,
    number: row.number,
    actionId: row.action_id,
    policyId: row.policy_id,
    policyVersionId: row.policy_version_id,
    status: parseEnum('proposals', row.id, 'status', row.status, statuses),
    proposedAt: row.proposed_at,
    decidedAt: row.decided_at,
    votePostId: row.vote_post_id,
    voteUrl: row.vote_url,
    votePlatform: row.vote_platform,
    eligibleVoters:
      row.eligible_voters === null
        ? null
        : parseJsonAs('proposals', row.id, 'eligible_voters', row.eligible_voters, memberIdsSchema),
    voteText: row.vote_text,
    voteOptions:
      row.vote_options === null
        ? null
        : parseJsonAs('proposals', row.id, 'vote_options', row.vote_options, voteOptionsSchema),
    data: parseJsonObject('proposals', row.id, 'data', row.data),
    notified: Number(row.notified) === 1,
  }
}

/**
 * The proposal's INSERT, from its action's row `a` (taken from `source`) and its policy version:
 * an action or version of another community inserts nothing. Parameters from `$<first>` on: now,
 * the lease's token, until and owner, the version, the policy, notified (0 or 1), the data.
 */
function insertProposalText(source: string, first: number): string {
  const p = (i: number) => `$${first + i}`
  return `insert into proposals (community_id, action_id, policy_id, policy_version_id, status, proposed_at,
      lease_token, lease_until, lease_owner, notified, data, number)
    select a.community_id, a.id, v.policy_id, v.id, 'proposed', cast(${p(0)} as bigint),
      cast(${p(1)} as text), cast(${p(2)} as bigint), cast(${p(3)} as text), cast(${p(6)} as integer),
      cast(${p(7)} as text),
      -- The community's next number (migration 0020: why this is safe on both dialects).
      (select coalesce(max(n.number), 0) + 1 from proposals n where n.community_id = a.community_id)
    from ${source} join policy_versions v on v.community_id = a.community_id
    where v.id = ${p(4)} and v.policy_id = ${p(5)}
    returning ${columns.join(', ')}`
}

/** A proposal's first row: leased to its first evaluation, or (`evaluated`) already through it. */
function insertProposalParams(
  { policyId, policyVersionId, now, lease }: NewProposal,
  evaluated?: Pick<StepWrites, 'data'>,
): unknown[] {
  return [
    now,
    lease?.token ?? null,
    lease?.until ?? null,
    lease?.owner ?? null,
    policyVersionId,
    policyId,
    evaluated ? 1 : 0,
    JSON.stringify(evaluated?.data ?? {}),
  ]
}

/** SQLite: one row of VALUES for a proposal of the action in `$9`/`$10` (community, id), numbered `number`. */
function insertProposalValues(number: string): string {
  return `insert into proposals (community_id, action_id, policy_id, policy_version_id, status, proposed_at,
      lease_token, lease_until, lease_owner, notified, data, number)
    values ($9, $10, $6, $5, 'proposed', $1, $2, $3, $4, $7, $8, ${number})
    returning ${columns.join(', ')}`
}

/** SQLite: the proposal numbered with the community's next number (migration 0020: why this is safe on both dialects). */
const insertNextNumbered = insertProposalValues(
  '(select coalesce(max(number), 0) + 1 from proposals where community_id = $9)',
)

/** SQLite: the proposal numbered `$11`; a number taken fails it (the community's numbers are unique). */
const insertGivenNumber = insertProposalValues('$11')

/** SQLite: whether version `$5` of policy `$6` is community `$9`'s. */
const versionOfCommunity = 'select 1 as ok from policy_versions where community_id = $9 and id = $5 and policy_id = $6'

/**
 * The statements that insert a proposal of the action in `$9`/`$10` (community, id), run in turn,
 * each giving a row or ending it: nothing is inserted for an action or version of another
 * community. On PostgreSQL one INSERT … SELECT. On SQLite a check of both, then one row of
 * VALUES, which SQLite inserts in half the time of the same row by INSERT … SELECT (measured:
 * 45 against 85 µs, at a few thousand proposals).
 */
export const insertProposalOfAction: Record<Dialect, string[]> = {
  postgres: [insertProposalText('(select * from actions where community_id = $9 and id = $10) a', 1)],
  sqlite: [
    `select 1 as ok where exists (select 1 from actions where community_id = $9 and id = $10)
      and exists (select 1 from policy_versions where community_id = $9 and id = $5 and policy_id = $6)`,
    insertNextNumbered,
  ],
}

/**
 * SQLite: the statements that insert the proposal of an action inserted in the same transaction
 * (so only its version is checked, and not at all when `versionKnown`), numbered by the
 * community's next number or by `$11`.
 */
export function insertProposalOfNewAction(versionKnown: boolean, numbered: boolean): string[] {
  const insert = numbered ? insertGivenNumber : insertNextNumbered
  return versionKnown ? [insert] : [versionOfCommunity, insert]
}

/** On PostgreSQL, the action and its proposal in one statement (one round trip, one commit). */
const insertBothText = `with a as (${insertActionText}), made as (${insertProposalText('a', 11)})
  select (select row_to_json(a) from a) as action, (select row_to_json(made) from made) as proposal`

/**
 * The ids the next action and proposal will get and the community's next proposal number, as
 * they stand: on SQLite AUTOINCREMENT's counters (only one writer, and the ids are checked when
 * the rows are inserted); on PostgreSQL the ids taken from their sequences (theirs, whatever
 * happens; one never used leaves a gap) and the number checked when the proposal is inserted.
 */
const nextIdsText: Record<Dialect, string> = {
  sqlite: `select coalesce((select seq from sqlite_sequence where name = 'actions'), 0) + 1 as action_id,
      coalesce((select seq from sqlite_sequence where name = 'proposals'), 0) + 1 as proposal_id,
      coalesce((select number from proposals where community_id = $1 order by number desc limit 1), 0) + 1 as number`,
  postgres: `select nextval(pg_get_serial_sequence('actions', 'id')) as action_id,
      nextval(pg_get_serial_sequence('proposals', 'id')) as proposal_id,
      (select coalesce(max(number), 0) + 1 from proposals where community_id = $1) as number`,
}

/** SQLite: `nextIdsText` without the number, for a community whose next number this process knows. */
const nextActionProposalIdsText = `select coalesce((select seq from sqlite_sequence where name = 'actions'), 0) + 1 as action_id,
  coalesce((select seq from sqlite_sequence where name = 'proposals'), 0) + 1 as proposal_id`

/**
 * On PostgreSQL, an evaluated proposal's statement (one round trip, one commit): the action
 * (`$1`…`$10`) with the id `$11`, its proposal with the id `$12` (pending, notified, its data in
 * `$17`, proposed at `$14` under version `$15` of policy `$16`), and its log lines (`$18`, as
 * `postgresLogRows`). The trigger of migration 0020 numbers the proposal under its community's
 * lock; a number other than `$13` (someone proposed meanwhile) fails the cast in the last line,
 * and so the whole statement.
 */
const insertEvaluatedText = `with a as (${insertActionSql('cast($11 as integer)')}),
  made as (
    insert into proposals (id, community_id, action_id, policy_id, policy_version_id, status, proposed_at,
        notified, data, number)
      select cast($12 as integer), a.community_id, a.id, v.policy_id, v.id, 'proposed', cast($14 as bigint), 1,
        cast($17 as text), cast($13 as integer)
      from a join policy_versions v on v.community_id = a.community_id
      where v.id = $15 and v.policy_id = $16
      returning ${columns.join(', ')}),
  logged as (
    insert into evaluation_logs (platform, community_id, proposal_id, action_id, policy_id, level, message,
        details, created_at)
      select a.platform, a.community_id, made.id, a.id, l.policy, l.level, l.message, l.details, l.now
      from made join a on a.id = made.action_id,
        rows from (jsonb_to_recordset(cast($18 as jsonb)) as (policy integer, level text, message text,
          details text, now bigint)) with ordinality as l(policy, level, message, details, now, n)
      order by l.n)
  select (select row_to_json(a) from a) as action, (select row_to_json(made) from made) as proposal,
    cast(case when (select number from made) = $13 or not exists (select 1 from a) then '1'
      else 'no proposal under the number expected' end as integer) as numbered`

/**
 * PostgreSQL's error for text that is not a number: the cast above, when the number was taken
 * or the version is not the community's (an action was inserted, no proposal).
 */
const notAsExpected = '22P02'

/**
 * A proposal as a re-check reads it: its columns, its lease and requests and, on PostgreSQL,
 * its community's cache version and its action's columns as `action_<column>`.
 */
type RecheckRow = ProposalRow & {
  lease_token: string | null
  lease_until: number | null
  recheck_requested: number
  cache_version?: number
} & Record<`action_${string}`, unknown>

/** Each action column with its name in a `RecheckRow`. */
const actionAliases = actionColumnNames.map((column) => [column, `action_${column}` as const] as const)

/**
 * The proposal `$2` of community `$1` (`RecheckRow`). On PostgreSQL with its action and its
 * community's cache version, in one round trip; on SQLite alone: there the join took 40 µs
 * against 6 µs for the three rows read apart (measured, 2,000 proposals, better-sqlite3).
 */
const recheckText: Record<Dialect, string> = {
  postgres: `select ${columns.map((column) => `p.${column}`).join(', ')},
      p.lease_token, p.lease_until, p.recheck_requested,
      (select c.cache_version from communities c where c.id = p.community_id) as cache_version,
      ${actionAliases.map(([column, alias]) => `a.${column} as ${alias}`).join(', ')}
    from proposals p join actions a on a.community_id = p.community_id and a.id = p.action_id
    where p.community_id = $1 and p.id = $2`,
  sqlite: `select ${columns.join(', ')}, lease_token, lease_until, recheck_requested from proposals
    where community_id = $1 and id = $2`,
}

/** A decided proposal's outcome flag set (`claimOutcome`), the proposal given back. */
const claimOutcomeText = `update proposals set outcome_ran = 1
  where community_id = $1 and id = $2 and outcome_ran = 0 and status in ('passed', 'failed')
  returning ${columns.join(', ')}`

/** A pending proposal decided (`$3`, at `$4`); a decided one stays as it is. Every vote's. */
const decideText = `update proposals set status = $3, decided_at = $4
  where community_id = $1 and id = $2 and status = 'proposed'`

/** A pending proposal's request to be checked again, counted. Every vote's. */
const requestRecheckText = `update proposals set recheck_requested = recheck_requested + 1
  where community_id = $1 and id = $2 and status = 'proposed'`

/** Thrown inside `createEvaluated`'s transaction to undo it: the rows did not get the ids expected. */
const idsMoved = new Error('the new rows did not get the ids expected')

/**
 * `sqlite`: the connection under `db` when `db` is the root store on SQLite (not a transaction),
 * for the statements of the evaluation's hot path that run on it directly.
 */
export function createProposalRepo(
  db: Kysely<Database>,
  dialect: Dialect,
  prepared: Prepared,
  sqlite?: StatementCache,
): ProposalRepo {
  /**
   * The policy versions (community, policy, version) a proposal was committed under by this
   * repo: a version is its community's for good (versions are never deleted, and their ids
   * never reused), so it is not checked again when a proposal of a new action is inserted.
   */
  const knownVersions = new Set<string>()
  const versionKey = (communityId: number, { policyId, policyVersionId }: NewProposal) =>
    `${communityId}/${policyId}/${policyVersionId}`

  /**
   * SQLite, the root store: each community's highest proposal number this repo inserted, so
   * that `nextIds` need not read it (in the bench's first evaluation that read was its costliest
   * statement). A number taken meanwhile by another process or transaction fails the insert
   * under it (the community's numbers are unique), which forgets the community's; it is never
   * ahead of the table, so it leaves no gap.
   */
  const lastNumbers = dialect === 'sqlite' && sqlite ? new Map<number, number>() : undefined
  const lastNumbersAtMost = 10_000
  function noteNumber(row: Pick<ProposalRow, 'community_id' | 'number'> | undefined): void {
    if (!lastNumbers || !row || row.number <= (lastNumbers.get(row.community_id) ?? 0)) {
      return
    }
    if (lastNumbers.size >= lastNumbersAtMost) {
      lastNumbers.clear()
    }
    lastNumbers.set(row.community_id, row.number)
  }

  // Prepared at first use: the tables exist only once the store is migrated.
  let stepWriter: SqliteStepWriter | undefined
  const sqliteSteps = () => (sqlite ? (stepWriter ??= new SqliteStepWriter(sqlite.database, columns)) : undefined)

  /** One step's writes: in one statement or synchronous transaction, else one after another. */
  async function writeStep(communityId: number, proposalId: number, writes: StepWrites): Promise<StepRow | undefined> {
    if (dialect === 'postgres') {
      return postgresStep(db, columns, communityId, proposalId, writes)
    }
    const writer = sqliteSteps()
    if (writer?.available) {
      return writer.run(communityId, proposalId, writes)
    }
    // Inside a transaction (this store's, or one open on the connection): its statements, in turn.
    if (writes.logs.length > 0) {
      await createLogRepo(db, prepared).add(communityId, writes.logs)
    }
    return sqliteStepUpdate(db, columns, communityId, proposalId, writes)
  }

  /** The action's and the proposal's rows as inserted; no action when it was delivered before. */
  async function insertBoth(
    communityId: number,
    action: ActionInput,
    proposal: NewProposal,
  ): Promise<{ action: Selectable<ActionsTable> | undefined; proposal: ProposalRow | undefined }> {
    const actionParams = insertActionParams(communityId, action)
    const proposalParams = insertProposalParams(proposal)
    if (dialect === 'postgres') {
      const row = await prepared.first<{ action: Selectable<ActionsTable> | null; proposal: ProposalRow | null }>(
        insertBothText,
        [...actionParams, ...proposalParams],
      )
      return { action: row?.action ?? undefined, proposal: row?.proposal ?? undefined }
    }
    const ofAction = (actionId: number) => [...proposalParams, communityId, actionId]
    // SQLite: one synchronous transaction, so one commit.
    const key = versionKey(communityId, proposal)
    const inserts = insertProposalOfNewAction(knownVersions.has(key), false)
    const now = prepared.syncTransaction((all) => {
      const [actionRow] = all<Selectable<ActionsTable>>(insertActionText, actionParams)
      return { action: actionRow, proposal: actionRow && lastRow<ProposalRow>(inserts, all, ofAction(actionRow.id)) }
    })
    if (now) {
      if (now.proposal) {
        knownVersions.add(key)
      }
      return now
    }
    // Inside a transaction already (its statements atomic with it): one after the other.
    const actionRow = await prepared.first<Selectable<ActionsTable>>(insertActionText, actionParams)
    const proposalRow =
      actionRow && (await lastRowInTurn<ProposalRow>(insertProposalOfAction.sqlite, prepared, ofAction(actionRow.id)))
    return { action: actionRow, proposal: proposalRow }
  }

  async function createEvaluatedPostgres(
    communityId: number,
    action: ActionInput,
    proposal: NewProposal,
    expected: NewIds,
    writes: Pick<StepWrites, 'data' | 'logs'>,
  ): Promise<{ action: Action; created: boolean; proposal: Proposal | undefined } | undefined> {
    let row: { action: Selectable<ActionsTable> | null; proposal: ProposalRow | null } | undefined
    try {
      row = await prepared.first(insertEvaluatedText, [
        ...insertActionParams(communityId, action),
        expected.actionId,
        expected.proposalId,
        expected.number,
        proposal.now,
        proposal.policyVersionId,
        proposal.policyId,
        JSON.stringify(writes.data ?? {}),
        postgresLogRows(writes.logs),
      ])
    } catch (e) {
      if (Reflect.get(Object(e), 'code') === notAsExpected) {
        return undefined
      }
      throw e
    }
    if (!row?.action) {
      return { action: await deliveredBefore(db, communityId, action), created: false, proposal: undefined }
    }
    return {
      action: toAction(row.action),
      created: true,
      proposal: row.proposal ? toProposal(row.proposal) : undefined,
    }
  }

  function byId(communityId: number, proposalId: number) {
    return db.updateTable('proposals').where('community_id', '=', communityId).where('id', '=', proposalId)
  }

  /** Lets go of the lease `token` holds (kept when a re-check was asked for meanwhile): a step that writes nothing else. */
  async function releaseLease(
    communityId: number,
    proposalId: number,
    token: string,
  ): Promise<{ recheck: boolean; proposal: Proposal | undefined }> {
    const row = await writeStep(communityId, proposalId, { logs: [], releaseToken: token })
    return { recheck: row?.lease_token === token, proposal: row && toProposal(row as unknown as ProposalRow) }
  }

  function notFound(proposalId: number): AppError {
    return new AppError('not_found', `proposal ${proposalId} not found`)
  }

  return {
    async create(communityId, input) {
      // Every first evaluation's: prepared, and on SQLite one commit.
      const inserts = insertProposalOfAction[dialect]
      const params = [...insertProposalParams(input), communityId, input.actionId]
      const row = await prepared.lastRowOf<ProposalRow>(inserts, params)
      noteNumber(row)
      if (!row) {
        const { actionId, policyVersionId, policyId } = input
        throw new AppError(
          'not_found',
          `action ${actionId} or version ${policyVersionId} of policy ${policyId} not found`,
        )
      }
      return toProposal(row)
    },

    async createWithAction(communityId, action, proposal) {
      const made = await insertBoth(communityId, action, proposal)
      noteNumber(made.proposal)
      if (!made.action) {
        return { action: await deliveredBefore(db, communityId, action), created: false, proposal: undefined }
      }
      return {
        action: toAction(made.action),
        created: true,
        proposal: made.proposal && toProposal(made.proposal),
      }
    },

    async nextIds(communityId) {
      const last = lastNumbers?.get(communityId)
      const row = await prepared.first<{ action_id: number; proposal_id: number; number?: number }>(
        last === undefined ? nextIdsText[dialect] : nextActionProposalIdsText,
        [communityId],
      )
      const number = last === undefined ? row?.number : last + 1
      if (!row || number === undefined) {
        throw new Error('reading the next ids gave no row')
      }
      return { actionId: Number(row.action_id), proposalId: Number(row.proposal_id), number }
    },

    async createEvaluated(communityId, action, { expected, writes, ...proposal }) {
      if (dialect === 'postgres') {
        return createEvaluatedPostgres(communityId, action, proposal, expected, writes)
      }
      const actionParams = insertActionParams(communityId, action)
      const steps = sqliteSteps()
      if (!steps) {
        // A transaction's store: nothing is written ahead of it, the caller goes the ordinary way.
        return undefined
      }
      const key = versionKey(communityId, proposal)
      const inserts = insertProposalOfNewAction(knownVersions.has(key), true)
      let made
      try {
        made = prepared.syncTransaction((all) => {
          const [actionRow] = all<Selectable<ActionsTable>>(insertActionText, actionParams)
          if (!actionRow) {
            return { action: undefined, proposal: undefined }
          }
          const proposalRow = lastRow<ProposalRow>(inserts, all, [
            ...insertProposalParams(proposal, writes),
            communityId,
            actionRow.id,
            expected.number,
          ])
          if (actionRow.id !== expected.actionId || proposalRow?.id !== expected.proposalId) {
            throw idsMoved
          }
          steps.insertLogs(communityId, writes.logs)
          return { action: actionRow, proposal: proposalRow }
        })
      } catch (e) {
        if (e === idsMoved) {
          return undefined
        }
        if (isUniqueViolation(e)) {
          // The number was taken meanwhile (the community's numbers are unique): nothing written,
          // and the community's next number is read afresh next time.
          lastNumbers?.delete(communityId)
          return undefined
        }
        throw e
      }
      if (!made) {
        return undefined
      }
      if (made.proposal) {
        knownVersions.add(key)
        noteNumber(made.proposal)
      }
      if (!made.action) {
        return { action: await deliveredBefore(db, communityId, action), created: false, proposal: undefined }
      }
      return { action: toAction(made.action), created: true, proposal: made.proposal && toProposal(made.proposal) }
    },

    async get(communityId, proposalId) {
      // A vote's, a decision's and its outcome's: prepared.
      const row = await prepared.first<ProposalRow>(
        `select ${columns.join(', ')} from proposals where community_id = $1 and id = $2`,
        [communityId, proposalId],
      )
      return row && toProposal(row)
    },

    async list(communityId, options = {}) {
      let query = db.selectFrom('proposals').select(columns).where('community_id', '=', communityId)
      if (options.status !== undefined) {
        query = query.where('status', '=', options.status)
      }
      if (options.actionId !== undefined) {
        query = query.where('action_id', '=', options.actionId)
      }
      const rows = await newestFirst(query, options).execute()
      return rows.map(toProposal)
    },

    async recentlyDecided(communityId, limit) {
      const rows = await db
        .selectFrom('proposals')
        .select(columns)
        .where('community_id', '=', communityId)
        .where('status', 'in', ['passed', 'failed'])
        .orderBy('decided_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute()
      return rows.map(toProposal)
    },

    async decisionCountsByDay(communityId, sinceMs) {
      // Integer division by a day's milliseconds is the UTC day in both dialects (times are positive).
      const day = sql<number>`decided_at / ${sql.lit(dayMs)}`
      const rows = await db
        .selectFrom('proposals')
        .select([day.as('day'), 'status', (eb) => eb.fn.countAll<number>().as('count')])
        .where('community_id', '=', communityId)
        .where('status', 'in', ['passed', 'failed'])
        .where('decided_at', '>=', sinceMs)
        .groupBy([day, 'status'])
        .execute()
      const byDay = new Map<number, DecisionCount>()
      for (const row of rows) {
        const index = Number(row.day)
        let counts = byDay.get(index)
        if (!counts) {
          counts = { day: new Date(index * dayMs).toISOString().slice(0, 10), passed: 0, failed: 0 }
          byDay.set(index, counts)
        }
        counts[row.status === 'passed' ? 'passed' : 'failed'] += Number(row.count)
      }
      return [...byDay.entries()].sort(([a], [b]) => a - b).map(([, counts]) => counts)
    },

    async countByStatus() {
      const rows = await db
        .selectFrom('proposals')
        .select((eb) => ['status', eb.fn.countAll<number | string>().as('count')])
        .groupBy('status')
        .execute()
      return Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]))
    },

    async pendingPage(afterId, limit) {
      const rows = await db
        .selectFrom('proposals')
        .select(['id', 'community_id'])
        .where('status', '=', 'proposed')
        .where('id', '>', afterId)
        .orderBy('id')
        .limit(limit)
        .execute()
      return rows.map((row) => ({ id: row.id, communityId: row.community_id }))
    },

    async pendingHostedPage(platform, afterId, limit) {
      const rows = await db
        .selectFrom('proposals')
        .select(columns)
        .where('status', '=', 'proposed')
        .where('vote_platform', '=', platform)
        .where('id', '>', afterId)
        .orderBy('id')
        .limit(limit)
        .execute()
      return rows.map(toProposal)
    },

    async decide(communityId, proposalId, status, now) {
      return (await prepared.changes(decideText, [communityId, proposalId, status, now])) > 0
    },

    async markNotified(communityId, proposalId) {
      const result = await byId(communityId, proposalId)
        .set({ notified: 1 })
        .where('notified', '=', 0)
        .executeTakeFirst()
      return result.numUpdatedRows > 0n
    },

    async clearNotified(communityId, proposalId) {
      await byId(communityId, proposalId).set({ notified: 0 }).where('status', '=', 'proposed').execute()
    },

    async markOutcomeRan(communityId, proposalId) {
      const result = await byId(communityId, proposalId)
        .set({ outcome_ran: 1 })
        .where('outcome_ran', '=', 0)
        .executeTakeFirst()
      return result.numUpdatedRows > 0n
    },

    async claimOutcome(communityId, proposalId) {
      const row = await prepared.first<ProposalRow>(claimOutcomeText, [communityId, proposalId])
      return row && toProposal(row)
    },

    async readForRecheck(communityId, proposalId) {
      // Every re-check's first statement: prepared.
      const row = await prepared.first<RecheckRow>(recheckText[dialect], [communityId, proposalId])
      if (!row) {
        return undefined
      }
      const state = {
        proposal: toProposal(row),
        lease: row.lease_token === null ? null : { token: row.lease_token, until: Number(row.lease_until ?? 0) },
        requested: Number(row.recheck_requested),
      }
      if (dialect === 'sqlite') {
        return state
      }
      const action = Object.fromEntries(actionAliases.map(([column, alias]) => [column, row[alias]]))
      return {
        ...state,
        action: toAction(action as Selectable<ActionsTable>),
        cacheVersion: Number(row.cache_version),
      }
    },

    async askLeaseHolder(communityId, proposalId, now) {
      const result = await byId(communityId, proposalId)
        .set((eb) => ({ recheck_requested: eb('recheck_requested', '+', 1) }))
        .where('status', '=', 'proposed')
        .where('lease_token', 'is not', null)
        .where('lease_until', '>=', now)
        .executeTakeFirst()
      return result.numUpdatedRows > 0n
    },

    async breakLease(communityId, proposalId, token) {
      const result = await byId(communityId, proposalId)
        .set({ lease_token: null, lease_until: null, lease_owner: null })
        .where('lease_token', '=', token)
        .executeTakeFirst()
      return result.numUpdatedRows > 0n
    },

    async recheckRequested(communityId, proposalId) {
      const row = await prepared.first<{ recheck_requested: number }>(
        `select recheck_requested from proposals where community_id = $1 and id = $2 and status = 'proposed'`,
        [communityId, proposalId],
      )
      return Number(row?.recheck_requested ?? 0) > 0
    },

    async releaseLease(communityId, proposalId, token) {
      return { recheck: (await releaseLease(communityId, proposalId, token)).recheck }
    },

    releaseLeaseReading: releaseLease,

    async finishStep(communityId, proposalId, writes) {
      const row = await writeStep(communityId, proposalId, writes)
      const token = writes.releaseToken
      const proposal = row && toProposal(row as unknown as ProposalRow)
      if (token !== undefined) {
        return { recheck: row?.lease_token === token, proposal }
      }
      if (writes.answered !== undefined) {
        return { recheck: proposal?.status === 'proposed' && Number(row?.recheck_requested ?? 0) > 0, proposal }
      }
      return undefined
    },

    async renewLeases(owner, until) {
      await db
        .updateTable('proposals')
        .set({ lease_until: until })
        .where('lease_owner', '=', owner)
        .where('lease_token', 'is not', null)
        .execute()
    },

    async requestRecheck(communityId, proposalId) {
      await prepared.changes(requestRecheckText, [communityId, proposalId])
    },

    async takeoverPage(now, limit) {
      const rows = await db
        .selectFrom('proposals')
        .select(['id', 'community_id'])
        .where('status', '=', 'proposed')
        .where((eb) =>
          eb.or([
            eb.and([eb('lease_token', 'is not', null), eb('lease_until', '<', now)]),
            eb.and([eb('lease_token', 'is', null), eb('recheck_requested', '>', 0)]),
          ]),
        )
        .orderBy('id')
        .limit(limit)
        .execute()
      return rows.map((row) => ({ id: row.id, communityId: row.community_id }))
    },

    async setVotePost(communityId, proposalId, post) {
      const result = await byId(communityId, proposalId)
        .set({
          vote_platform: post.platform,
          vote_post_id: post.postId,
          vote_url: post.url,
          // A vote opened again (or on another platform) replaces the question with its own.
          vote_text: post.text ?? null,
          vote_options: post.options ? JSON.stringify(post.options) : null,
        })
        .executeTakeFirst()
      if (result.numUpdatedRows === 0n) {
        throw notFound(proposalId)
      }
    },

    async setEligibleVoters(communityId, proposalId, memberIds) {
      const result = await byId(communityId, proposalId)
        .set({ eligible_voters: memberIds === null ? null : JSON.stringify(memberIds) })
        .executeTakeFirst()
      if (result.numUpdatedRows === 0n) {
        throw notFound(proposalId)
      }
    },

    async findByVotePost(communityId, platform, postId) {
      const row = await db
        .selectFrom('proposals')
        .select(columns)
        .where('community_id', '=', communityId)
        .where('vote_platform', '=', platform)
        .where('vote_post_id', '=', postId)
        .orderBy('id', 'desc')
        .executeTakeFirst()
      return row && toProposal(row)
    },

    async setData(communityId, proposalId, data) {
      const result = await byId(communityId, proposalId)
        .set({ data: JSON.stringify(data) })
        .executeTakeFirst()
      if (result.numUpdatedRows === 0n) {
        throw notFound(proposalId)
      }
    },
  }
}
