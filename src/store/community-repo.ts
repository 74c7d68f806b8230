import { sql, type Kysely, type Selectable } from 'kysely'
import type { Prepared } from './prepared.ts'
import type { Community } from '../domain/community.ts'
import { AppError } from '../errors.ts'
import type { CommunitiesTable, Database } from './database.ts'
import { parseJsonObject } from './rows.ts'
import type { CommunityRepo, Dialect } from './store.ts'

function toCommunity(row: Selectable<CommunitiesTable>): Community {
  return {
    id: row.id,
    name: row.name,
    settings: parseJsonObject('communities', row.id, 'settings', row.settings),
    createdAt: row.created_at,
  }
}

/** A schema's community name locks are in the lock space `hashtext('<schema>' || this)`. */
const namesSpaceSuffix = '.policykit.names'

export function createCommunityRepo(db: Kysely<Database>, dialect: Dialect, prepared: Prepared): CommunityRepo {
  async function get(communityId: number): Promise<Community | undefined> {
    const row = await db.selectFrom('communities').selectAll().where('id', '=', communityId).executeTakeFirst()
    return row && toCommunity(row)
  }

  return {
    async create({ name, settings, now }) {
      const row = await db
        .insertInto('communities')
        .values({
          name,
          settings: JSON.stringify(settings ?? {}),
          created_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow()
      return toCommunity(row)
    },

    get,

    async listAll() {
      const rows = await db.selectFrom('communities').selectAll().orderBy('id').execute()
      return rows.map(toCommunity)
    },

    async update(communityId, patch) {
      const values = {
        ...(patch.name !== undefined && { name: patch.name }),
        ...(patch.settings !== undefined && {
          settings: JSON.stringify(patch.settings),
        }),
      }
      const community =
        Object.keys(values).length === 0
          ? await get(communityId)
          : await db
              .updateTable('communities')
              .set(values)
              .where('id', '=', communityId)
              .returningAll()
              .executeTakeFirst()
              .then((row) => row && toCommunity(row))
      if (!community) {
        throw new AppError('not_found', `community ${communityId} not found`)
      }
      return community
    },

    async cacheVersion(communityId) {
      // Read before every use of the community cache: a prepared statement.
      const row = await prepared.first<{ cache_version: number | string }>(
        'select cache_version from communities where id = $1',
        [communityId],
      )
      return row && Number(row.cache_version)
    },

    async holdNames(communityId) {
      if (dialect === 'sqlite') {
        // One writer at a time: taking the write lock now is the hold.
        return this.lock(communityId)
      }
      // A lock of the transaction's, not a row's: nothing is written, so the community's row
      // (read by every evaluation) does not pile up versions of itself.
      await sql`select pg_advisory_xact_lock(hashtext(current_schema() || ${namesSpaceSuffix}), ${communityId})`.execute(
        db,
      )
    },

    async lock(communityId) {
      // An update that changes nothing still takes the row lock (PostgreSQL) or the write lock
      // (SQLite), in one statement both dialects accept.
      const result = await db
        .updateTable('communities')
        .set((eb) => ({ name: eb.ref('name') }))
        .where('id', '=', communityId)
        .executeTakeFirst()
      if (result.numUpdatedRows === 0n) {
        throw new AppError('not_found', `community ${communityId} not found`)
      }
    },
  }
}
