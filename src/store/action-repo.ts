import type { Kysely, Selectable } from 'kysely'
import { actionKinds, actionPlatform, executionStates, type Action, type ActionOrigin } from '../domain/action.ts'
import type { ActionsTable, Database } from './database.ts'
import { columnsOf, parseEnum, parseJsonObject, parseJsonObjectOrNull, newestFirst } from './rows.ts'
import type { Prepared } from './prepared.ts'
import type { ActionInput, ActionRepo, ClaimedState } from './store.ts'

const origins = ['platform', 'policykit'] as const satisfies readonly ActionOrigin[]
const claimedStates = ['executing', 'reverting'] as const satisfies readonly ClaimedState[]

export function toAction(row: Selectable<ActionsTable>): Action {
  return {
    id: row.id,
    communityId: row.community_id,
    kind: parseEnum('actions', row.id, 'kind', row.kind, actionKinds),
    type: row.type,
    platform: row.platform,
    origin: parseEnum('actions', row.id, 'origin', row.origin, origins),
    initiatorId: row.initiator_id,
    params: parseJsonObject('actions', row.id, 'params', row.params),
    result: parseJsonObjectOrNull('actions', row.id, 'result', row.result),
    executionState: parseEnum('actions', row.id, 'execution_state', row.execution_state, executionStates),
    externalId: row.external_id,
    createdAt: row.created_at,
  }
}

/** Every column of an action row. */
export const actionColumnNames = columnsOf<ActionsTable>({
  id: true,
  community_id: true,
  kind: true,
  type: true,
  platform: true,
  origin: true,
  initiator_id: true,
  params: true,
  result: true,
  execution_state: true,
  execution_claimed_at: true,
  execution_claimed_by: true,
  execution_key: true,
  execution_tries: true,
  external_id: true,
  created_at: true,
})

const actionColumns = actionColumnNames.join(', ')

/**
 * The action's INSERT (`$1`…`$10`, see `insertActionParams`); with `id` (an expression), the row
 * gets that id rather than the next one. ON CONFLICT DO NOTHING makes a repeated delivery (also
 * a concurrent one) insert nothing instead of failing; the first delivery's row is then read
 * back (`deliveredBefore`).
 */
export function insertActionSql(id?: string): string {
  return `insert into actions (${id === undefined ? '' : 'id, '}community_id, kind, type, platform, origin,
    initiator_id, params, result, execution_state, external_id, created_at)
  values (${id === undefined ? '' : `${id}, `}$1, $2, $3, $4, $5, $6, $7, $8, 'none', $9, $10)
  on conflict (community_id, platform, external_id) do nothing
  returning ${actionColumns}`
}

export const insertActionText = insertActionSql()

export function insertActionParams(communityId: number, input: ActionInput): unknown[] {
  return [
    communityId,
    input.kind,
    input.type,
    actionPlatform(input.type),
    input.origin,
    input.initiatorId,
    JSON.stringify(input.params),
    input.result ? JSON.stringify(input.result) : null,
    input.externalId ?? null,
    input.now,
  ]
}

/** The action an earlier delivery of `input` made, when its INSERT inserted nothing. */
export async function deliveredBefore(db: Kysely<Database>, communityId: number, input: ActionInput): Promise<Action> {
  const externalId = input.externalId ?? null
  if (externalId === null) {
    throw new Error('inserting an action without an external id inserted nothing')
  }
  const existing = await db
    .selectFrom('actions')
    .selectAll()
    .where('community_id', '=', communityId)
    .where('platform', '=', actionPlatform(input.type))
    .where('external_id', '=', externalId)
    .executeTakeFirstOrThrow()
  return toAction(existing)
}

/** `$first`, `$first+1`… for a list of `count` values. */
function placeholders(first: number, count: number): string {
  return Array.from({ length: count }, (_, i) => `$${first + i}`).join(', ')
}

/** Statement texts by their shape, made once (the same text is then found at once where it is prepared). */
const texts = new Map<string, string>()
function textOf(shape: string, make: () => string): string {
  let text = texts.get(shape)
  if (text === undefined) {
    text = make()
    texts.set(shape, text)
  }
  return text
}

/**
 * SQLite: the claim of action `$6` of community `$5` in one of `count` states (`$7`…): to state
 * `$1` at `$2` by `$3`, its tries counted again from 1 unless its key stays `$4`. Every SET
 * expression reads the row as it was, so the CASE compares with the previous key.
 */
function claimText(count: number, returning: boolean): string {
  return textOf(
    `claim ${count} ${returning}`,
    () => `update actions set execution_state = $1, execution_claimed_at = $2, execution_claimed_by = $3,
      execution_tries = case when execution_key = $4 then execution_tries + 1 else 1 end, execution_key = $4
    where community_id = $5 and id = $6 and execution_state in (${placeholders(7, count)})
    ${returning ? 'returning execution_tries' : ''}`,
  )
}

/**
 * Action `$3` of community `$2`, in one of `count` states (`$4`…), to state `$1`, its claim let
 * go; with `result`, its result set to the parameter after the states.
 */
function transitionText(count: number, result: boolean): string {
  return textOf(
    `transition ${count} ${result}`,
    () => `update actions set execution_state = $1, execution_claimed_at = null, execution_claimed_by = null
      ${result ? `, result = $${4 + count}` : ''}
    where community_id = $2 and id = $3 and execution_state in (${placeholders(4, count)})`,
  )
}

/** SQLite: whether the statement before changed a row, and action `$2`'s tries. */
const claimedText = `select changes() as changed,
  (select execution_tries from actions where community_id = $1 and id = $2) as tries`

export function createActionRepo(db: Kysely<Database>, prepared: Prepared): ActionRepo {
  // Both on every evaluation's path: prepared statements.
  async function get(communityId: number, actionId: number): Promise<Action | undefined> {
    const row = await prepared.first<Selectable<ActionsTable>>(
      `select ${actionColumns} from actions where community_id = $1 and id = $2`,
      [communityId, actionId],
    )
    return row && toAction(row)
  }

  return {
    async create(communityId, input) {
      const row = await prepared.first<Selectable<ActionsTable>>(
        insertActionText,
        insertActionParams(communityId, input),
      )
      return row
        ? { action: toAction(row), created: true }
        : { action: await deliveredBefore(db, communityId, input), created: false }
    },

    get,

    async claimExecution(communityId, actionId, from, to, now) {
      if (from.length === 0) {
        return false
      }
      const updated = await db
        .updateTable('actions')
        .set({ execution_state: to, execution_claimed_at: now })
        .where('community_id', '=', communityId)
        .where('id', '=', actionId)
        .where('execution_state', 'in', from)
        .executeTakeFirst()
      return updated.numUpdatedRows > 0n
    },

    async claim(communityId, actionId, { from, to, now, owner, key }) {
      if (from.length === 0) {
        return undefined
      }
      const params = [to, now, owner, key, communityId, actionId, ...from]
      // SQLite: the UPDATE, then its count of rows and the tries read back, in one synchronous
      // transaction: the same UPDATE with RETURNING took twice as long (62 against 27 µs).
      const claimed = prepared.syncTransaction((all) => {
        all(claimText(from.length, false), params)
        const [row] = all<{ changed: number; tries: number }>(claimedText, [communityId, actionId])
        return row && row.changed > 0 ? { tries: Number(row.tries) } : null
      })
      if (claimed !== undefined) {
        return claimed ?? undefined
      }
      // PostgreSQL (one round trip), or inside a transaction.
      const row = await prepared.first<{ execution_tries: number | string }>(claimText(from.length, true), params)
      return row && { tries: Number(row.execution_tries) }
    },

    async renewClaims(owner, now) {
      await db
        .updateTable('actions')
        .set({ execution_claimed_at: now })
        .where('execution_claimed_by', '=', owner)
        .where('execution_claimed_at', 'is not', null)
        .where('execution_state', 'in', claimedStates)
        .execute()
    },

    async transitionExecution(communityId, actionId, from, to, result) {
      if (from.length === 0) {
        return false
      }
      const params: unknown[] = [to, communityId, actionId, ...from]
      if (result !== undefined) {
        params.push(result === null ? null : JSON.stringify(result))
      }
      return (await prepared.changes(transitionText(from.length, result !== undefined), params)) > 0
    },

    async overdueClaims(claimedBefore, limit) {
      const rows = await db
        .selectFrom('actions')
        .select(['id', 'community_id', 'execution_state'])
        .where('execution_claimed_at', 'is not', null)
        .where('execution_claimed_at', '<', claimedBefore)
        .where('execution_state', 'in', claimedStates)
        .orderBy('execution_claimed_at')
        .orderBy('id')
        .limit(limit)
        .execute()
      return rows.map((row) => ({
        id: row.id,
        communityId: row.community_id,
        executionState: parseEnum('actions', row.id, 'execution_state', row.execution_state, claimedStates),
      }))
    },

    async releaseOverdueClaim(communityId, actionId, from, to, claimedBefore) {
      const updated = await db
        .updateTable('actions')
        .set({ execution_state: to, execution_claimed_at: null, execution_claimed_by: null })
        .where('community_id', '=', communityId)
        .where('id', '=', actionId)
        .where('execution_state', '=', from)
        .where('execution_claimed_at', '<', claimedBefore)
        .executeTakeFirst()
      return updated.numUpdatedRows > 0n
    },

    async list(communityId, options = {}) {
      const query = db.selectFrom('actions').selectAll().where('community_id', '=', communityId)
      const rows = await newestFirst(query, options).execute()
      return rows.map(toAction)
    },
  }
}
