// The bench's database floor (`floor_ms_per_action`): the rows a first evaluation must leave, and
// the one read its check needs, written with raw prepared statements in one transaction, with
// neither Kysely, engine nor sandbox: the action, its proposal (pending, notified, lease free),
// the proposal's votes, and one log line.
import SqliteDatabase from 'better-sqlite3'
import pg from 'pg'

export interface FloorTarget {
  communityId: number
  proposerId: number
  policyId: number
  versionId: number
}

const insertAction = `insert into actions (community_id, kind, type, platform, origin, initiator_id, params,
  result, execution_state, external_id, created_at)
  values ($1, 'platform', 'test.post', 'test', 'policykit', $2, $3, null, 'none', null, $4) returning id`
// Numbered in its community as the store numbers it (on PostgreSQL a trigger numbers it again).
const insertProposal = `insert into proposals (community_id, action_id, policy_id, policy_version_id, status,
  proposed_at, notified, number) values ($1, $2, $3, $4, 'proposed', $5, 1,
  (select coalesce(max(number), 0) + 1 from proposals where community_id = $6)) returning id`
const selectVotes = `select v.id, v.member_id, v.kind, v.value, v.cast_at, m.username from votes v
  join members m on m.id = v.member_id and m.community_id = v.community_id
  where v.community_id = $1 and v.proposal_id = $2 order by v.id`
const insertLog = `insert into evaluation_logs (platform, community_id, proposal_id, action_id, policy_id, level,
  message, details, created_at) values ('test', $1, $2, $3, $4, 'debug', 'check returned proposed', null, $5)`

/** SQLite's positional parameters (each statement above uses $1, $2… once each, in order). */
const forSqlite = (text: string) => text.replace(/\$\d+/g, '?')

/** Milliseconds per action, for `n` actions, on the SQLite file the bench's store uses. */
export function sqliteFloor(file: string, target: FloorTarget, n: number): number {
  const db = new SqliteDatabase(file)
  try {
    db.pragma('synchronous = NORMAL')
    db.pragma('busy_timeout = 5000')
    const action = db.prepare<unknown[], { id: number }>(forSqlite(insertAction))
    const proposal = db.prepare<unknown[], { id: number }>(forSqlite(insertProposal))
    const votes = db.prepare(forSqlite(selectVotes))
    const log = db.prepare(forSqlite(insertLog))
    const { communityId: c, proposerId, policyId, versionId } = target
    const one = db.transaction((i: number) => {
      const now = Date.now()
      const a = action.get(c, proposerId, JSON.stringify({ text: `floor ${i}` }), now)
      const p = proposal.get(c, a?.id, policyId, versionId, now, c)
      votes.all(c, p?.id)
      log.run(c, p?.id, a?.id, policyId, now)
    })
    const started = performance.now()
    for (let i = 0; i < n; i++) {
      one(i)
    }
    return (performance.now() - started) / n
  } finally {
    db.close()
  }
}

/** The same on PostgreSQL: named (server-side prepared) statements, one transaction per action. */
export async function postgresFloor(
  connectionString: string,
  schema: string,
  target: FloorTarget,
  n: number,
): Promise<number> {
  const client = new pg.Client({ connectionString, options: `-c search_path=${schema}` })
  await client.connect()
  try {
    const { communityId: c, proposerId, policyId, versionId } = target
    const started = performance.now()
    for (let i = 0; i < n; i++) {
      const now = Date.now()
      await client.query('begin')
      const a = await client.query<{ id: number }>({
        name: 'floor_action',
        text: insertAction,
        values: [c, proposerId, JSON.stringify({ text: `floor ${i}` }), now],
      })
      const p = await client.query<{ id: number }>({
        name: 'floor_proposal',
        text: insertProposal,
        values: [c, a.rows[0]?.id, policyId, versionId, now, c],
      })
      await client.query({ name: 'floor_votes', text: selectVotes, values: [c, p.rows[0]?.id] })
      await client.query({
        name: 'floor_log',
        text: insertLog,
        values: [c, p.rows[0]?.id, a.rows[0]?.id, policyId, now],
      })
      await client.query('commit')
    }
    return (performance.now() - started) / n
  } finally {
    await client.end()
  }
}
