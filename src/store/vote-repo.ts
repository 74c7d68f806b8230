import { sql, type Kysely, type Selectable } from 'kysely'
import type { Vote, VoteValue } from '../domain/vote.ts'
import { AppError } from '../errors.ts'
import type { Database, VotesTable } from './database.ts'
import { columnsOf, parseJsonText } from './rows.ts'
import type { Prepared } from './prepared.ts'
import type { Dialect, VoteFilter, VoteRepo } from './store.ts'

type CastInput = Parameters<VoteRepo['cast']>[1]

function toVoteValue(row: Selectable<VotesTable>): VoteValue {
  const value = parseJsonText('votes', row.id, 'value', row.value)
  if (row.kind === 'boolean' && typeof value === 'boolean') {
    return { kind: row.kind, value }
  }
  if (row.kind === 'choice' && typeof value === 'string') {
    return { kind: row.kind, value }
  }
  if (row.kind === 'number' && typeof value === 'number') {
    return { kind: row.kind, value }
  }
  throw new Error(`corrupt row: votes ${row.id}, value ${row.value} is not a ${row.kind} vote`)
}

function toVote(row: Selectable<VotesTable>): Vote {
  return {
    id: row.id,
    proposalId: row.proposal_id,
    memberId: row.member_id,
    castAt: row.cast_at,
    ...toVoteValue(row),
  }
}

/** Every column of a vote row, as those of `v`. */
const voteColumns = columnsOf<VotesTable>({
  id: true,
  community_id: true,
  proposal_id: true,
  member_id: true,
  kind: true,
  value: true,
  cast_at: true,
})
  .map((column) => `v.${column}`)
  .join(', ')

/** SQLite: whether proposal `$2` and member `$3` are community `$1`'s. */
const castGuardText = `select 1 as ok where exists (select 1 from proposals where community_id = $1 and id = $2)
  and exists (select 1 from members where community_id = $1 and id = $3)`

/** SQLite: the vote (`$4` kind, `$5` value as JSON, `$6` cast at), replacing the member's earlier one. */
const castValuesText = `insert into votes (community_id, proposal_id, member_id, kind, value, cast_at)
  values ($1, $2, $3, $4, $5, $6)
  on conflict (proposal_id, member_id) do update set kind = excluded.kind, value = excluded.value,
    cast_at = excluded.cast_at
  returning *`

export function createVoteRepo(db: Kysely<Database>, dialect: Dialect, prepared: Prepared): VoteRepo {
  /** Votes of one proposal matching the filter; values compare as their stored JSON text. */
  function selectVotes(communityId: number, proposalId: number, filter: VoteFilter) {
    let query = db.selectFrom('votes').where('community_id', '=', communityId).where('proposal_id', '=', proposalId)
    if (filter.kind !== undefined) {
      query = query.where('kind', '=', filter.kind)
    }
    if (filter.value !== undefined) {
      query = query.where('value', '=', JSON.stringify(filter.value))
    }
    if (filter.memberIds !== undefined) {
      // An empty list matches nobody; `in ()` is not valid SQL.
      query =
        filter.memberIds.length === 0
          ? query.where(sql<boolean>`1 = 0`)
          : query.where('member_id', 'in', filter.memberIds)
    }
    return query
  }

  /**
   * SQLite: a check that the proposal and the member are the community's, then one row of
   * VALUES (in one synchronous transaction when nothing else holds the connection): the
   * INSERT … SELECT that PostgreSQL runs took half as long again.
   */
  async function castSqlite(communityId: number, input: CastInput): Promise<Selectable<VotesTable> | undefined> {
    const params = [
      communityId,
      input.proposalId,
      input.memberId,
      input.vote.kind,
      JSON.stringify(input.vote.value),
      input.now,
    ]
    return prepared.lastRowOf<Selectable<VotesTable>>([castGuardText, castValuesText], params)
  }

  async function castPostgres(
    communityId: number,
    { proposalId, memberId, vote, now }: CastInput,
  ): Promise<Selectable<VotesTable> | undefined> {
    // Insert-select: only a proposal and a member of this community produce a row. The
    // upsert replaces the member's earlier vote in the same statement.
    return db
      .insertInto('votes')
      .columns(['community_id', 'proposal_id', 'member_id', 'kind', 'value', 'cast_at'])
      .expression((eb) =>
        eb
          .selectFrom('proposals as p')
          .innerJoin('members as m', 'm.community_id', 'p.community_id')
          .select([
            'p.community_id',
            'p.id',
            'm.id',
            sql<string>`cast(${vote.kind} as text)`.as('kind'),
            sql<string>`cast(${JSON.stringify(vote.value)} as text)`.as('value'),
            sql<number>`cast(${now} as bigint)`.as('cast_at'),
          ])
          .where('p.community_id', '=', communityId)
          .where('p.id', '=', proposalId)
          .where('m.id', '=', memberId),
      )
      .onConflict((oc) =>
        oc.columns(['proposal_id', 'member_id']).doUpdateSet((eb) => ({
          kind: eb.ref('excluded.kind'),
          value: eb.ref('excluded.value'),
          cast_at: eb.ref('excluded.cast_at'),
        })),
      )
      .returningAll()
      .executeTakeFirst()
  }

  return {
    async cast(communityId, input) {
      const row = dialect === 'sqlite' ? await castSqlite(communityId, input) : await castPostgres(communityId, input)
      if (!row) {
        throw new AppError('not_found', `proposal ${input.proposalId} or member ${input.memberId} not found`)
      }
      return toVote(row)
    },

    async withdraw(communityId, proposalId, memberId) {
      const result = await db
        .deleteFrom('votes')
        .where('community_id', '=', communityId)
        .where('proposal_id', '=', proposalId)
        .where('member_id', '=', memberId)
        .executeTakeFirst()
      return result.numDeletedRows > 0n
    },

    async list(communityId, proposalId, filter = {}) {
      const rows = await selectVotes(communityId, proposalId, filter).selectAll().orderBy('id').execute()
      return rows.map(toVote)
    },

    async listWithVoters(communityId, proposalId) {
      // Read by every evaluation: a prepared statement. Each voter's name by a subquery, and the
      // order (that of casting) made here: on SQLite the same rows by a join, sorted in a
      // temporary B-tree (the index on votes is by proposal and member), took three times as long.
      const rows = await prepared.all<
        Selectable<VotesTable> & { username: string | null; display_name: string | null }
      >(
        `select ${voteColumns},
            (select m.username from members m where m.id = v.member_id and m.community_id = v.community_id)
              as username,
            (select m.display_name from members m where m.id = v.member_id and m.community_id = v.community_id)
              as display_name
          from votes v where v.community_id = $1 and v.proposal_id = $2`,
        [communityId, proposalId],
      )
      return rows
        .filter((row): row is typeof row & { username: string; display_name: string } => row.username !== null)
        .sort((a, b) => a.id - b.id)
        .map((row) => ({ ...toVote(row), username: row.username, displayName: row.display_name }))
    },

    async count(communityId, proposalId, filter = {}) {
      const row = await selectVotes(communityId, proposalId, filter)
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .executeTakeFirstOrThrow()
      // PostgreSQL's count is a bigint; the pool parses it to a number (open-store.ts).
      return Number(row.count)
    },
  }
}
