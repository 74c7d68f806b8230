import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { sql } from 'kysely'
import { migrate } from '../../src/store/migrate.ts'
import { openStore } from '../../src/store/open-store.ts'
import { proposalLockSpaceOid } from '../../src/store/proposal-locks.ts'
import type { Store } from '../../src/store/store.ts'
import { testDialects, testSecretKey } from '../support/test-store.ts'
import { until } from '../support/until.ts'

describe('sqlite: proposal locks', () => {
  let dir: string
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'policykit-locks-'))
  })
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('asks the holder in this process once more, and tells it so when it lets go', async () => {
    const store = await openStore({ sqlitePath: ':memory:', secretKey: testSecretKey })
    const locks = store.proposalLocks
    assert.equal(locks.alone, true)
    assert.equal(await locks.tryLock(1), 'taken')
    assert.equal(await locks.tryLock(2), 'taken', 'each proposal has its own')
    assert.equal(await locks.tryLock(1), 'asked')
    assert.equal(locks.takeRequest(1), true)
    assert.equal(locks.takeRequest(1), false, 'a request is taken once')
    assert.equal(await locks.unlock(1), false)
    assert.equal(await locks.tryLock(2), 'asked')
    assert.equal(await locks.unlock(2), true, 'asked after the last look')
    assert.equal(await locks.tryLock(1), 'taken')
    await store.close()
  })

  it('lets one process take re-checks on a database file, and the next once it stops', async () => {
    const file = path.join(dir, 'policykit.db')
    const first = await openStore({ sqlitePath: file, secretKey: testSecretKey })
    const second = await openStore({ sqlitePath: file, secretKey: testSecretKey })
    try {
      assert.equal(await first.proposalLocks.tryLock(7), 'taken')
      assert.equal(first.proposalLocks.alone, true)
      assert.equal(statSync(`${file}-locks`).mode & 0o777, 0o600)
      // Another store on the file stands in for another process: the lock file is not its.
      assert.equal(await second.proposalLocks.tryLock(8), 'elsewhere')
      assert.equal(second.proposalLocks.alone, false)
      await first.close()
      assert.equal(await second.proposalLocks.tryLock(7), 'taken', 'it takes over when the holder stops')
      assert.equal(second.proposalLocks.alone, true)
    } finally {
      await first.close().catch(() => {})
      await second.close()
    }
  })
})

const databaseUrl = process.env['DATABASE_URL']

describe('postgres: proposal locks', { skip: !testDialects().includes('postgres') }, () => {
  const schema = `test_locks_${process.pid}`
  const open = async (inSchema = schema): Promise<Store> => {
    const store = await openStore({ databaseUrl: databaseUrl ?? '', pgSchema: inSchema, secretKey: testSecretKey })
    await migrate(store)
    return store
  }
  let first: Store
  let second: Store
  before(async () => {
    first = await open()
    second = await open()
  })
  after(async () => {
    await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(first.db)
    await first.close()
    await second.close()
  })

  it('holds a proposal against other processes, and lets go when asked or when its connection dies', async () => {
    assert.equal(first.proposalLocks.alone, false)
    assert.equal(await first.proposalLocks.tryLock(5), 'taken')
    assert.equal(await second.proposalLocks.tryLock(5), 'elsewhere')
    assert.equal(await second.proposalLocks.tryLock(6), 'taken', 'each proposal has its own')
    assert.equal(await first.proposalLocks.unlock(5), false)
    assert.equal(await second.proposalLocks.tryLock(5), 'taken')
    assert.equal(await first.proposalLocks.tryLock(5), 'elsewhere')

    // The holder's lock connection dies: PostgreSQL lets go of its locks. (This schema's lock
    // space, as an oid: other test files' locks are left alone.)
    await sql`select pg_terminate_backend(pid) from pg_locks
      where locktype = 'advisory' and objid = 5 and classid::bigint = ${proposalLockSpaceOid(schema)}`.execute(first.db)
    assert.ok(await until(async () => (await first.proposalLocks.tryLock(5)) === 'taken', 1000))
    await first.proposalLocks.unlock(5)
    await second.proposalLocks.unlock(6)
  })

  it('keeps the locks of two installations (schemas) in one database apart', async () => {
    const elsewhere = await open(`${schema}_other`)
    try {
      assert.equal(await first.proposalLocks.tryLock(9), 'taken')
      assert.equal(await elsewhere.proposalLocks.tryLock(9), 'taken')
    } finally {
      await first.proposalLocks.unlock(9)
      await sql`drop schema if exists ${sql.id(`${schema}_other`)} cascade`.execute(elsewhere.db)
      await elsewhere.close()
    }
  })
})
