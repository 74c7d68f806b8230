import type { InsertObject, Kysely, Selectable } from 'kysely'
import { logLevels, type EvaluationLog } from '../domain/community.ts'
import type { Database, EvaluationLogsTable } from './database.ts'
import { parseEnum, parseJsonObjectOrNull, newestFirst } from './rows.ts'
import type { Prepared } from './prepared.ts'
import { detailsPlatform, insertLogRowText, logRow } from './step-writes.ts'
import type { LogRepo } from './store.ts'

/** Rows per INSERT: keeps a large batch under SQLite's bound-parameter limit. */
const batchSize = 500

function toLog(row: Selectable<EvaluationLogsTable> & { proposal_number: number | null }): EvaluationLog {
  return {
    id: row.id,
    communityId: row.community_id,
    proposalId: row.proposal_id,
    proposalNumber: row.proposal_number,
    actionId: row.action_id,
    policyId: row.policy_id,
    level: parseEnum('evaluation_logs', row.id, 'level', row.level, logLevels),
    message: row.message,
    details: parseJsonObjectOrNull('evaluation_logs', row.id, 'details', row.details),
    platform: row.platform,
    createdAt: row.created_at,
  }
}

/**
 * `sqlite`: the root SQLite store's statements, with which lines are inserted as prepared
 * statements (every decision writes one), in one transaction.
 */
export function createLogRepo(db: Kysely<Database>, sqlite?: Prepared): LogRepo {
  return {
    async add(communityId, entries) {
      if (sqlite) {
        const rows = entries.map((entry) => logRow(communityId, entry))
        const done = sqlite.syncTransaction((all) => rows.map((row) => all(insertLogRowText, row)))
        if (!done) {
          // Inside a transaction already: its statements, one after the other.
          for (const row of rows) {
            await sqlite.changes(insertLogRowText, row)
          }
        }
        return
      }
      const rows = entries.map((entry): InsertObject<Database, 'evaluation_logs'> => ({
        // The action's platform, read in the same statement (no round trip).
        platform:
          entry.actionId === undefined || entry.actionId === null
            ? detailsPlatform(entry.details)
            : db.selectFrom('actions').select('platform').where('id', '=', entry.actionId),
        community_id: communityId,
        proposal_id: entry.proposalId ?? null,
        action_id: entry.actionId ?? null,
        policy_id: entry.policyId ?? null,
        level: entry.level,
        message: entry.message,
        details: entry.details ? JSON.stringify(entry.details) : null,
        created_at: entry.now,
      }))
      for (let start = 0; start < rows.length; start += batchSize) {
        await db
          .insertInto('evaluation_logs')
          .values(rows.slice(start, start + batchSize))
          .execute()
      }
    },

    async list(communityId, options = {}) {
      let query = db
        .selectFrom('evaluation_logs')
        .selectAll()
        .select((eb) =>
          eb
            .selectFrom('proposals')
            .select('proposals.number')
            .whereRef('proposals.id', '=', 'evaluation_logs.proposal_id')
            .as('proposal_number'),
        )
        .where('community_id', '=', communityId)
      if (options.proposalId !== undefined) {
        query = query.where('proposal_id', '=', options.proposalId)
      }
      if (options.proposalNumber !== undefined) {
        const number = options.proposalNumber
        query = query.where('proposal_id', 'in', (eb) =>
          eb
            .selectFrom('proposals')
            .select('proposals.id')
            .where('proposals.community_id', '=', communityId)
            .where('proposals.number', '=', number),
        )
      }
      if (options.actionId !== undefined) {
        query = query.where('action_id', '=', options.actionId)
      }
      if (options.platform !== undefined) {
        query = query.where('platform', '=', options.platform)
      }
      if (options.level !== undefined) {
        query = query.where('level', 'in', logLevels.slice(logLevels.indexOf(options.level)))
      }
      const rows = await newestFirst(query, options).execute()
      return rows.map(toLog)
    },
  }
}
