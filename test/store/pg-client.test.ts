import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import pg from 'pg'
import { maxPreparedPerConnection, preparable, PreparingClient } from '../../src/store/pg-client.ts'

const databaseUrl = process.env['DATABASE_URL']

describe('which statements may be prepared', () => {
  it('not those whose own columns are a star', () => {
    for (const text of [
      'select * from items where id = $1',
      'SELECT DISTINCT * FROM items WHERE id = $1',
      'update items set name = $1 returning *',
      'select "items".* from "items" where "id" = $1',
      'select v.*, (select name from members m where m.id = v.member_id) as name from votes v where id = $1',
      'with x as (select id from items) select * from x where id = $1',
      'select id,* from items where id = $1',
    ]) {
      assert.equal(preparable(text), false, text)
    }
  })

  it('those whose stars are in parentheses, strings or products', () => {
    for (const text of [
      'select id, name from items where id = $1',
      'select count(*) from items where id <= $1',
      'with x as (select * from items) select id from x where id = $1',
      'insert into items (id, name) select id, name from (select *, 1 from other) as o where id = $1 returning id',
      "select id, '*' as star, $1 * 2 as twice from items",
      'select id from "odd * name" where id = $1',
      'select id -- not * here\n from items where id = $1',
    ]) {
      assert.equal(preparable(text), true, text)
    }
  })
})

describe('postgres: statements prepared per connection', { skip: !databaseUrl }, () => {
  const schema = `test_${randomBytes(6).toString('hex')}`
  const options = { connectionString: databaseUrl, options: `-c search_path=${schema}` }
  let client: pg.Client
  let other: pg.Client

  /** The texts this connection holds prepared (a session's own, as PostgreSQL shows them). */
  async function prepared(): Promise<string[]> {
    const { rows } = await client.query<{ statement: string }>(
      'select statement from pg_prepared_statements order by prepare_time',
    )
    return rows.map((row) => row.statement)
  }

  before(async () => {
    other = new pg.Client(options)
    await other.connect()
    await other.query(`create schema ${schema}`)
    await other.query('create table items (id int primary key, name text)')
    await other.query("insert into items values (1, 'one'), (2, 'two')")
    client = new PreparingClient(options)
    await client.connect()
  })

  after(async () => {
    await client.end()
    await other.query(`drop schema ${schema} cascade`)
    await other.end()
  })

  it('prepares a statement with parameters on its second run, and answers the same each time', async () => {
    const text = 'select name from items where id = $1'
    assert.deepEqual((await client.query(text, [1])).rows, [{ name: 'one' }])
    assert.deepEqual(await prepared(), [], 'a statement run once is not kept')
    assert.deepEqual((await client.query(text, [2])).rows, [{ name: 'two' }])
    assert.deepEqual(await prepared(), [text])
    assert.deepEqual((await client.query(text, [1])).rows, [{ name: 'one' }])
    assert.deepEqual(await prepared(), [text], 'prepared once')
  })

  it('runs statements without parameters as they are, several commands in one included', async () => {
    const before = await prepared()
    await client.query('select 1; select 2')
    await client.query('select 1; select 2')
    await client.query('select count(*) from items')
    await client.query('select count(*) from items')
    assert.deepEqual(await prepared(), before)
  })

  it('keeps reading a table a migration added a column to, while `select *` is never prepared', async () => {
    const named = 'select id, name from items where id = $1'
    const star = 'select * from items where id = $1'
    const returning = 'update items set name = name where id = $1 returning *'
    const counted = 'select count(*) as n from items where id <= $1'
    const within = 'with x as (select * from items) select id from x where id = $1'
    for (let run = 0; run < 2; run++) {
      await client.query(named, [1])
      await client.query(star, [1])
      await client.query(returning, [1])
      await client.query(counted, [2])
      await client.query(within, [2])
    }
    const held = await prepared()
    assert.ok(held.includes(named) && held.includes(counted) && held.includes(within))
    assert.ok(!held.includes(star) && !held.includes(returning))

    // A new version's migration, from another connection, while this one keeps running.
    await other.query('alter table items add column note text')
    assert.deepEqual((await client.query(named, [1])).rows, [{ id: 1, name: 'one' }])
    assert.deepEqual((await client.query(star, [1])).rows, [{ id: 1, name: 'one', note: null }])
    assert.deepEqual((await client.query(returning, [1])).rows, [{ id: 1, name: 'one', note: null }])
    assert.deepEqual((await client.query(counted, [2])).rows, [{ n: '2' }])
    assert.deepEqual((await client.query(within, [2])).rows, [{ id: 2 }])
  })

  it(`keeps at most ${maxPreparedPerConnection} statements, running the others unnamed`, async () => {
    const texts = Array.from({ length: maxPreparedPerConnection + 10 }, (_, i) => `select $1::int + ${i} as n`)
    for (const text of texts) {
      await client.query(text, [1])
      const { rows } = await client.query<{ n: number }>(text, [1])
      assert.equal(rows[0]?.n, 1 + texts.indexOf(text))
    }
    assert.equal((await prepared()).length, maxPreparedPerConnection)
  })

  it('answers through the callback node-postgres pools use, errors included', async () => {
    const text = 'select name from items where id = $1'
    const run = (values: unknown[]) =>
      new Promise<pg.QueryResult>((resolve, reject) => {
        client.query(text, values, (error: Error | null, result: pg.QueryResult) =>
          error ? reject(error) : resolve(result),
        )
      })
    assert.deepEqual((await run([2])).rows, [{ name: 'two' }])
    await assert.rejects(run(['not a number']), /invalid input syntax for type integer/)
    assert.deepEqual((await run([1])).rows, [{ name: 'one' }], 'the connection goes on after an error')
  })
})
