import { sql, type DatabaseIntrospector, type Kysely } from 'kysely'
import { Migrator, type Migration, type MigrationProvider } from 'kysely/migration'
import type { Database } from './database.ts'
import * as initial from './migrations/0001-initial.ts'
import * as eligibleVoters from './migrations/0002-eligible-voters.ts'
import * as accounts from './migrations/0003-accounts.ts'
import * as voteQuestion from './migrations/0004-vote-question.ts'
import * as slackListening from './migrations/0005-slack-listening.ts'
import * as executionClaims from './migrations/0006-execution-claims.ts'
import * as inviteClaims from './migrations/0007-invite-claims.ts'
import * as crashSafety from './migrations/0008-crash-safety.ts'
import * as attemptWindows from './migrations/0009-attempt-windows.ts'
import * as platformDeliveries from './migrations/0010-platform-deliveries.ts'
import * as logPlatformInviteRevocation from './migrations/0011-log-platform-invite-revocation.ts'
import * as listenerLeases from './migrations/0012-listener-leases.ts'
import * as platformCursors from './migrations/0015-platform-cursors.ts'
import * as communityCacheVersion from './migrations/0019-community-cache-version.ts'
import * as proposalNumbersAndLeaving from './migrations/0020-proposal-numbers-and-leaving.ts'
import * as listenerState from './migrations/0021-listener-state.ts'
import * as countedRecheckRequests from './migrations/0022-counted-recheck-requests.ts'
import * as logReferenceIndexes from './migrations/0023-log-reference-indexes.ts'
import * as nameKeys from './migrations/0024-name-keys.ts'
import type { Dialect, Store } from './store.ts'

interface MigrationModule {
  up(db: Kysely<unknown>, dialect: Dialect): Promise<void>
}

/** In code rather than read from a folder: what runs is what was imported and type-checked. */
const migrations: Record<string, MigrationModule> = {
  '0001-initial': initial,
  '0002-eligible-voters': eligibleVoters,
  '0003-accounts': accounts,
  '0004-vote-question': voteQuestion,
  '0005-slack-listening': slackListening,
  '0006-execution-claims': executionClaims,
  '0007-invite-claims': inviteClaims,
  '0008-crash-safety': crashSafety,
  '0009-attempt-windows': attemptWindows,
  '0010-platform-deliveries': platformDeliveries,
  '0011-log-platform-invite-revocation': logPlatformInviteRevocation,
  '0012-listener-leases': listenerLeases,
  '0015-platform-cursors': platformCursors,
  '0019-community-cache-version': communityCacheVersion,
  '0020-proposal-numbers-and-leaving': proposalNumbersAndLeaving,
  '0021-listener-state': listenerState,
  '0022-counted-recheck-requests': countedRecheckRequests,
  '0023-log-reference-indexes': logReferenceIndexes,
  '0024-name-keys': nameKeys,
}

function provider(dialect: Dialect): MigrationProvider {
  return {
    getMigrations: () =>
      Promise.resolve(
        Object.fromEntries(
          Object.entries(migrations).map(([name, module]): [string, Migration] => [
            name,
            { up: (db) => module.up(db, dialect) },
          ]),
        ),
      ),
  }
}

/**
 * Applies pending migrations (up to and including `upTo`, for tests of a migration's data
 * carried over; all by default); returns the names of those it applied (none when up to date).
 */
export async function migrate(store: Store, options: { upTo?: string } = {}): Promise<string[]> {
  const migrator =
    store.dialect === 'postgres'
      ? await postgresMigrator(store.db)
      : new Migrator({ db: store.db, provider: provider('sqlite') })
  const { error, results = [] } =
    options.upTo === undefined ? await migrator.migrateToLatest() : await migrator.migrateTo(options.upTo)
  if (error !== undefined) {
    const failed = results.find((r) => r.status === 'Error')
    throw new Error(`migration ${failed?.migrationName ?? '(setup)'} failed`, {
      cause: error,
    })
  }
  return results.filter((r) => r.status === 'Success').map((r) => r.migrationName)
}

/**
 * The Migrator only asks the introspector whether its bookkeeping tables exist. Kysely's
 * PostgreSQL introspector answers by reading every column of every schema, which is slow with
 * many schemas and fails ("schema does not exist") when another schema is dropped meanwhile
 * (parallel tests, side-by-side installs). So it gets the store's schema, and only its tables.
 */
async function postgresMigrator(db: Kysely<Database>): Promise<Migrator> {
  const { rows } = await sql<{
    schema: string | null
  }>`select current_schema() as schema`.execute(db)
  const schema = rows[0]?.schema
  if (!schema) {
    throw new Error('PostgreSQL has no current schema: check search_path')
  }
  const introspector: DatabaseIntrospector = {
    async getSchemas() {
      const found = await sql<{ name: string }>`
        select nspname as name from pg_catalog.pg_namespace where nspname = ${schema}`.execute(db)
      return found.rows
    },
    async getTables() {
      const found = await sql<{ name: string }>`
        select c.relname as name
        from pg_catalog.pg_class c
        join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where n.nspname = ${schema} and c.relkind in ('r', 'p')`.execute(db)
      return found.rows.map(({ name }) => ({
        name,
        schema,
        isView: false,
        isForeign: false,
        columns: [],
      }))
    },
  }
  const scoped = new Proxy(db, {
    get(target, property) {
      if (property === 'introspection') {
        return introspector
      }
      const value: unknown = Reflect.get(target, property, target)
      // Kysely's methods use private fields, so they must run on the real instance.
      return typeof value === 'function' ? (...args: unknown[]): unknown => Reflect.apply(value, target, args) : value
    },
  })
  return new Migrator({
    db: scoped,
    provider: provider('postgres'),
    // Otherwise Kysely accepts its bookkeeping table found in any schema as this one's.
    migrationTableSchema: schema,
  })
}
