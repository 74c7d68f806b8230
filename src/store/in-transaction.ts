import type { Kysely, Transaction } from 'kysely'
import type { Database } from './database.ts'

/** Runs `fn` in a transaction, joining the caller's when `db` already is one. */
export async function inTransaction<T>(db: Kysely<Database>, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  if (db.isTransaction) {
    return fn(db)
  }
  return db.transaction().execute((trx: Transaction<Database>) => fn(trx))
}
