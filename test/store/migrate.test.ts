import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, describe, it } from 'node:test'
import { sql } from 'kysely'
import { migrate } from '../../src/store/migrate.ts'
import { openStore } from '../../src/store/open-store.ts'
import { openTestStore, testDialects, testSecretKey } from '../support/test-store.ts'

for (const dialect of testDialects()) {
  describe(`${dialect}: migrate`, () => {
    it('applies nothing the second time', async () => {
      const store = await openTestStore(dialect)
      try {
        assert.deepEqual(await migrate(store), [])
        const community = await store.communities.create({
          name: 'still here',
          now: 1,
        })
        assert.deepEqual(await migrate(store), [])
        assert.equal((await store.communities.get(community.id))?.name, 'still here')
      } finally {
        await store.close()
      }
    })
  })
}

describe('sqlite: open a file', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'policykit-store-'))
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('creates the parent directory, uses WAL with foreign keys on, and reports what it applied', async () => {
    const file = path.join(dir, 'data', 'policykit.db')
    const store = await openStore({
      sqlitePath: file,
      secretKey: testSecretKey,
    })
    try {
      assert.deepEqual(await migrate(store), [
        '0001-initial',
        '0002-eligible-voters',
        '0003-accounts',
        '0004-vote-question',
        '0005-slack-listening',
        '0006-execution-claims',
        '0007-invite-claims',
        '0009-attempt-windows',
        '0010-platform-deliveries',
      ])
      const journal = await sql<{
        journal_mode: string
      }>`pragma journal_mode`.execute(store.db)
      assert.equal(journal.rows[0]?.journal_mode, 'wal')
      const fk = await sql<{
        foreign_keys: number
      }>`pragma foreign_keys`.execute(store.db)
      assert.equal(fk.rows[0]?.foreign_keys, 1)
    } finally {
      await store.close()
    }
    const reopened = await openStore({
      sqlitePath: file,
      secretKey: testSecretKey,
    })
    try {
      assert.deepEqual(await migrate(reopened), [])
    } finally {
      await reopened.close()
    }
  })
})
