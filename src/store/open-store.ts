import { AsyncLocalStorage } from 'node:async_hooks'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely'
import type { CustomTypesConfig, types as PgTypes } from 'pg'
import { createActionRepo } from './action-repo.ts'
import { createApiTokenRepo } from './api-token-repo.ts'
import { createAttemptRepo } from './attempt-repo.ts'
import { createCommunityRepo } from './community-repo.ts'
import type { Database } from './database.ts'
import { createDocumentRepo } from './document-repo.ts'
import { inTransaction } from './in-transaction.ts'
import { makePrivateFile } from './make-private.ts'
import { createIntegrationRepo } from './integration-repo.ts'
import { createInviteRepo } from './invite-repo.ts'
import { createJobRepo } from './job-repo.ts'
import { createLogRepo } from './log-repo.ts'
import { createListenerLeaseRepo } from './listener-lease-repo.ts'
import { createMemberRepo } from './member-repo.ts'
import { createPolicyRepo } from './policy-repo.ts'
import { Prepared } from './prepared.ts'
import { startWalCheckpointer, type WalCheckpointer } from './wal-checkpointer.ts'
import { postgresProposalLocks, sqliteProposalLocks, type ProposalLocks } from './proposal-locks.ts'
import { NulFreeStrings } from './nul-free-strings.ts'
import { createProposalRepo } from './proposal-repo.ts'
import { createRoleRepo } from './role-repo.ts'
import { createSessionRepo } from './session-repo.ts'
import type { Dialect, Store } from './store.ts'
import { cachingDatabase, StatementCache } from './statement-cache.ts'
import { createUserRepo } from './user-repo.ts'
import { createVoteRepo } from './vote-repo.ts'

export interface OpenStoreOptions {
  /** postgres://…; when set, PostgreSQL is used and `sqlitePath` is ignored. */
  databaseUrl?: string
  /** A file path, or ':memory:'. */
  sqlitePath?: string
  /** PostgreSQL only: keep every table in this schema (created if missing). */
  pgSchema?: string
  /** 32 bytes; encrypts integration credentials. */
  secretKey: Buffer
  /**
   * SQLite file only: checkpoint its log every quarter second, on a thread of its own while
   * writes are many (`wal-checkpointer.ts`), for a process that serves (a short command leaves
   * checkpoints to SQLite).
   */
  checkpointThread?: boolean
}

export async function openStore(options: OpenStoreOptions): Promise<Store> {
  if (options.secretKey.length !== 32) {
    throw new Error(`secret key must be 32 bytes, got ${options.secretKey.length}`)
  }
  if (options.databaseUrl) {
    const { db, locks } = await openPostgres(options.databaseUrl, options.pgSchema)
    return bindStore(db, 'postgres', options.secretKey, new AsyncLocalStorage(), locks)
  }
  if (!options.sqlitePath) {
    throw new Error('openStore needs a databaseUrl or a sqlitePath')
  }
  const { db, statements, checkpointer } = openSqlite(options.sqlitePath, options.checkpointThread ?? false)
  const locks = sqliteProposalLocks(options.sqlitePath)
  return bindStore(db, 'sqlite', options.secretKey, new AsyncLocalStorage(), locks, statements, checkpointer)
}

function openSqlite(
  path: string,
  checkpointThread: boolean,
): {
  db: Kysely<Database>
  statements: StatementCache
  checkpointer: WalCheckpointer | undefined
} {
  if (path !== ':memory:') {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
    // SQLite gives the -wal and -shm files the database file's mode, so it is made 0600 first.
    makePrivateFile(path, { create: true })
    makePrivateFile(`${path}-wal`)
    makePrivateFile(`${path}-shm`)
  }
  const database = new SqliteDatabase(path)
  database.pragma('journal_mode = WAL')
  database.pragma('synchronous = NORMAL')
  database.pragma('foreign_keys = ON')
  // Other processes (the CLI, a backup) may hold the write lock briefly.
  database.pragma('busy_timeout = 5000')
  const statements = new StatementCache(database)
  return {
    db: new Kysely<Database>({ dialect: new SqliteDialect({ database: cachingDatabase(statements) }) }),
    statements,
    checkpointer: checkpointThread && path !== ':memory:' ? startWalCheckpointer(database, path) : undefined,
  }
}

/** Times and counts are int8; they stay well inside 2^53, so numbers are safe and simpler. */
function pgTypes(types: typeof PgTypes): CustomTypesConfig {
  return {
    getTypeParser(id, format): unknown {
      if (id === types.builtins.INT8 && format !== 'binary') {
        return Number
      }
      const parser: unknown = types.getTypeParser(id, format)
      return parser
    },
  }
}

const schemaName = /^[a-z_][a-z0-9_]*$/

async function openPostgres(
  connectionString: string,
  schema: string | undefined,
): Promise<{ db: Kysely<Database>; locks: ProposalLocks }> {
  if (schema !== undefined && !schemaName.test(schema)) {
    throw new Error(`PostgreSQL schema name ${JSON.stringify(schema)} must match ${String(schemaName)}`)
  }
  // Imported here, not at the top: a server on SQLite never loads the PostgreSQL driver.
  const { default: pg } = await import('pg')
  const { PreparingClient } = await import('./pg-client.ts')
  const settings = {
    connectionString,
    types: pgTypes(pg.types),
    // Set per connection at startup, so every query, pooled or in a transaction, sees it.
    ...(schema !== undefined && { options: `-c search_path=${schema}` }),
  }
  const pool = new pg.Pool({ ...settings, Client: PreparingClient })
  if (schema !== undefined) {
    try {
      await pool.query(`create schema if not exists ${schema}`)
    } catch (e) {
      // Two processes creating the schema at once can still collide; the loser is fine.
      if (!(e instanceof Error && 'code' in e && e.code === '23505')) {
        await pool.end()
        throw e
      }
    }
  }
  const locks = postgresProposalLocks(async () => {
    const client = new PreparingClient(settings)
    await client.connect()
    return client
  })
  return {
    db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins: [new NulFreeStrings()] }),
    locks,
  }
}

/**
 * A Store whose repositories all use `db`: the root connection, or one transaction. `ambient`
 * (one per root store) holds the transaction store of the `transaction` callback running in the
 * current async context, for `joining()`.
 */
function bindStore(
  db: Kysely<Database>,
  dialect: Dialect,
  secretKey: Buffer,
  ambient: AsyncLocalStorage<Store>,
  proposalLocks: ProposalLocks,
  /** SQLite's connection and its statements, for the root store only (a transaction's go through `db`). */
  sqlite?: StatementCache,
  checkpointer?: WalCheckpointer,
): Store {
  let joined: Store | undefined
  const prepared = new Prepared(db, dialect, sqlite)
  const store: Store = {
    dialect,
    db,
    transaction: (fn) =>
      inTransaction(db, (trx) => {
        const bound = trx === db ? store : bindStore(trx, dialect, secretKey, ambient, proposalLocks)
        return ambient.run(bound, () => fn(bound))
      }),
    joining() {
      joined ??= new Proxy(store, {
        get: (target, property): unknown => Reflect.get(ambient.getStore() ?? target, property),
      })
      return joined
    },
    communities: createCommunityRepo(db, dialect, prepared),
    integrations: createIntegrationRepo(db, secretKey),
    members: createMemberRepo(db),
    roles: createRoleRepo(db),
    documents: createDocumentRepo(db),
    policies: createPolicyRepo(db, dialect),
    actions: createActionRepo(db, prepared),
    proposals: createProposalRepo(db, dialect, prepared, sqlite),
    votes: createVoteRepo(db, dialect, prepared),
    logs: createLogRepo(db, dialect === 'sqlite' ? prepared : undefined),
    jobs: createJobRepo(db, dialect, prepared),
    users: createUserRepo(db),
    sessions: createSessionRepo(db),
    apiTokens: createApiTokenRepo(db),
    invites: createInviteRepo(db),
    attempts: createAttemptRepo(db),
    listenerLeases: createListenerLeaseRepo(db),
    proposalLocks,
    async close() {
      if (db.isTransaction) {
        throw new Error('close the store, not a transaction')
      }
      await proposalLocks.close()
      await checkpointer?.stop()
      await db.destroy()
    },
  }
  return store
}
