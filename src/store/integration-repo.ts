import type { Kysely, Selectable } from 'kysely'
import type { Integration } from '../domain/community.ts'
import { AppError } from '../errors.ts'
import { decryptJson, encryptJson } from './crypto.ts'
import type { Database, IntegrationsTable } from './database.ts'
import { flag, isUniqueViolation, parseJsonObject } from './rows.ts'
import type { IntegrationRepo } from './store.ts'

/** Every column but `credentials`, which only getCredentials reads. */
const columns = ['id', 'community_id', 'platform', 'external_id', 'config', 'active', 'created_at'] as const

function toIntegration(row: Omit<Selectable<IntegrationsTable>, 'credentials'>): Integration {
  return {
    id: row.id,
    communityId: row.community_id,
    platform: row.platform,
    externalId: row.external_id,
    config: parseJsonObject('integrations', row.id, 'config', row.config),
    active: row.active === 1,
    createdAt: row.created_at,
  }
}

export function createIntegrationRepo(db: Kysely<Database>, secretKey: Buffer): IntegrationRepo {
  function notFound(integrationId: number): AppError {
    return new AppError('not_found', `integration ${integrationId} not found`)
  }

  const selectIntegrations = () => db.selectFrom('integrations').select(columns)

  /** What `query` selects, by id; only the active ones when asked (`list` and `listByPlatform`). */
  async function listed(
    query: ReturnType<typeof selectIntegrations>,
    { activeOnly = false }: { activeOnly?: boolean },
  ): Promise<Integration[]> {
    const rows = await (activeOnly ? query.where('active', '=', 1) : query).orderBy('id').execute()
    return rows.map(toIntegration)
  }

  return {
    async create(communityId, input) {
      try {
        const row = await db
          .insertInto('integrations')
          .values({
            community_id: communityId,
            platform: input.platform,
            external_id: input.externalId,
            config: JSON.stringify(input.config),
            credentials: encryptJson(secretKey, input.credentials),
            active: 1,
            created_at: input.now,
          })
          .returning(columns)
          .executeTakeFirstOrThrow()
        return toIntegration(row)
      } catch (e) {
        if (isUniqueViolation(e)) {
          throw new AppError('conflict', `${input.platform} ${input.externalId} is already connected`, { cause: e })
        }
        throw e
      }
    },

    async get(communityId, integrationId) {
      const row = await db
        .selectFrom('integrations')
        .select(columns)
        .where('community_id', '=', communityId)
        .where('id', '=', integrationId)
        .executeTakeFirst()
      return row && toIntegration(row)
    },

    list(communityId, options = {}) {
      return listed(selectIntegrations().where('community_id', '=', communityId), options)
    },

    async getCredentials(communityId, integrationId) {
      const row = await db
        .selectFrom('integrations')
        .select('credentials')
        .where('community_id', '=', communityId)
        .where('id', '=', integrationId)
        .executeTakeFirst()
      if (!row) {
        throw notFound(integrationId)
      }
      try {
        return decryptJson(secretKey, row.credentials)
      } catch (e) {
        throw new Error(`integration ${integrationId}: ${e instanceof Error ? e.message : String(e)}`, { cause: e })
      }
    },

    async setCredentials(communityId, integrationId, credentials) {
      const result = await db
        .updateTable('integrations')
        .set({ credentials: encryptJson(secretKey, credentials) })
        .where('community_id', '=', communityId)
        .where('id', '=', integrationId)
        .executeTakeFirst()
      if (result.numUpdatedRows === 0n) {
        throw notFound(integrationId)
      }
    },

    async setActive(communityId, integrationId, active) {
      const result = await db
        .updateTable('integrations')
        .set({ active: flag(active) })
        .where('community_id', '=', communityId)
        .where('id', '=', integrationId)
        .executeTakeFirst()
      if (result.numUpdatedRows === 0n) {
        throw notFound(integrationId)
      }
    },

    async findByExternalId(platform, externalId) {
      const row = await db
        .selectFrom('integrations')
        .select(columns)
        .where('platform', '=', platform)
        .where('external_id', '=', externalId)
        .executeTakeFirst()
      return row && toIntegration(row)
    },

    listByPlatform(platform, options = {}) {
      return listed(selectIntegrations().where('platform', '=', platform), options)
    },
  }
}
