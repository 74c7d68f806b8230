import type { Kysely, Selectable } from 'kysely'
import type { Document } from '../domain/community.ts'
import { AppError } from '../errors.ts'
import type { Database, DocumentsTable } from './database.ts'
import { nameKey } from '../domain/names.ts'
import { activeNamed, flag } from './rows.ts'
import type { DocumentRepo } from './store.ts'

function toDocument(row: Selectable<DocumentsTable>): Document {
  return {
    id: row.id,
    communityId: row.community_id,
    name: row.name,
    text: row.text,
    active: row.active === 1,
    updatedAt: row.updated_at,
  }
}

export function createDocumentRepo(db: Kysely<Database>): DocumentRepo {
  function notFound(documentId: number): AppError {
    return new AppError('not_found', `document ${documentId} not found`)
  }

  return {
    async create(communityId, { name, text, now }) {
      const row = await db
        .insertInto('documents')
        .values({
          community_id: communityId,
          name,
          name_key: nameKey(name),
          text,
          active: 1,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow()
      return toDocument(row)
    },

    async update(communityId, documentId, { name, text, now }) {
      const row = await db
        .updateTable('documents')
        .set({
          ...(name !== undefined && { name, name_key: nameKey(name) }),
          ...(text !== undefined && { text }),
          updated_at: now,
        })
        .where('community_id', '=', communityId)
        .where('id', '=', documentId)
        .returningAll()
        .executeTakeFirst()
      if (!row) {
        throw notFound(documentId)
      }
      return toDocument(row)
    },

    async setActive(communityId, documentId, active, now) {
      const result = await db
        .updateTable('documents')
        .set({ active: flag(active), updated_at: now })
        .where('community_id', '=', communityId)
        .where('id', '=', documentId)
        .executeTakeFirst()
      if (result.numUpdatedRows === 0n) {
        throw notFound(documentId)
      }
    },

    async get(communityId, documentId) {
      const row = await db
        .selectFrom('documents')
        .selectAll()
        .where('community_id', '=', communityId)
        .where('id', '=', documentId)
        .executeTakeFirst()
      return row && toDocument(row)
    },

    async list(communityId, options = {}) {
      let query = db.selectFrom('documents').selectAll().where('community_id', '=', communityId)
      if (options.activeOnly) {
        query = query.where('active', '=', 1)
      }
      const rows = await query.orderBy('id').execute()
      return rows.map(toDocument)
    },

    activeNamed: (communityId, name) => activeNamed(db, 'documents', communityId, name),
  }
}
