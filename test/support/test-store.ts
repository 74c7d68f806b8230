import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import { migrate } from '../../src/store/migrate.ts'
import { openStore } from '../../src/store/open-store.ts'
import type { Dialect, Store } from '../../src/store/store.ts'

const databaseUrl = process.env['DATABASE_URL']

let skipNoticeShown = false

/** SQLite always; PostgreSQL too when DATABASE_URL points at a server. */
export function testDialects(): Dialect[] {
  if (databaseUrl) {
    return ['sqlite', 'postgres']
  }
  if (!skipNoticeShown) {
    skipNoticeShown = true
    process.stderr.write('PostgreSQL suites skipped: DATABASE_URL is not set\n')
  }
  return ['sqlite']
}

export const testSecretKey = Buffer.alloc(32, 7)

/**
 * A migrated, empty store. PostgreSQL stores live in a schema of their own, dropped on close,
 * so test files can run in parallel against one database.
 */
export async function openTestStore(dialect: Dialect, options: { migrateUpTo?: string } = {}): Promise<Store> {
  const migration = options.migrateUpTo === undefined ? {} : { upTo: options.migrateUpTo }
  if (dialect === 'sqlite') {
    const store = await openStore({ sqlitePath: ':memory:', secretKey: testSecretKey })
    await migrate(store, migration)
    return store
  }
  if (!databaseUrl) {
    throw new Error('DATABASE_URL is not set')
  }
  const schema = `test_${randomBytes(6).toString('hex')}`
  const store = await openStore({ databaseUrl, pgSchema: schema, secretKey: testSecretKey })
  await migrate(store, migration)
  const close = store.close.bind(store)
  return Object.assign(Object.create(store) as Store, {
    async close() {
      await sql`drop schema ${sql.id(schema)} cascade`.execute(store.db)
      await close()
    },
  })
}
