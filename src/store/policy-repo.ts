import type { Kysely } from 'kysely'
import type { Policy } from '../domain/policy.ts'
import { AppError } from '../errors.ts'
import type { Database } from './database.ts'
import { inTransaction } from './in-transaction.ts'
import { toContentColumns, toPolicy, toVersion } from './policy-rows.ts'
import { nameKey } from '../domain/names.ts'
import { activeNamed, flag } from './rows.ts'
import type { Dialect, PolicyInput, PolicyRepo } from './store.ts'

export function createPolicyRepo(db: Kysely<Database>, dialect: Dialect): PolicyRepo {
  /** The head row joined with its current version: a whole Policy in one query. */
  function selectPolicies(communityId: number, from: Kysely<Database> = db) {
    return from
      .selectFrom('policies as p')
      .innerJoin('policy_versions as v', 'v.id', 'p.current_version_id')
      .select([
        'p.id',
        'p.community_id',
        'p.name',
        'p.kind',
        'p.action_types',
        'p.priority',
        'p.active',
        'p.current_version_id',
        'p.version',
        'p.updated_at',
        'v.description',
        'v.variables',
        'v.blocks',
      ])
      .where('p.community_id', '=', communityId)
  }

  async function get(communityId: number, policyId: number): Promise<Policy | undefined> {
    const row = await selectPolicies(communityId).where('p.id', '=', policyId).executeTakeFirst()
    return row && toPolicy(row)
  }

  async function insertVersion(
    trx: Kysely<Database>,
    communityId: number,
    policyId: number,
    version: number,
    input: PolicyInput,
    now: number,
  ): Promise<number> {
    const row = await trx
      .insertInto('policy_versions')
      .values({
        community_id: communityId,
        policy_id: policyId,
        version,
        ...toContentColumns(input),
        description: input.description,
        variables: JSON.stringify(input.variables),
        blocks: JSON.stringify(input.blocks),
        created_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    return row.id
  }

  return {
    create(communityId, input, now) {
      // The head points at its version and the version references the head, so the head is
      // written first with a placeholder and pointed at version 1 in the same transaction.
      return inTransaction(db, async (trx) => {
        const head = await trx
          .insertInto('policies')
          .values({
            community_id: communityId,
            ...toContentColumns(input),
            name_key: nameKey(input.name),
            active: 1,
            current_version_id: 0,
            version: 1,
            updated_at: now,
          })
          .returning('id')
          .executeTakeFirstOrThrow()
        const versionId = await insertVersion(trx, communityId, head.id, 1, input, now)
        await trx.updateTable('policies').set({ current_version_id: versionId }).where('id', '=', head.id).execute()
        return {
          id: head.id,
          communityId,
          ...input,
          active: true,
          versionId,
          version: 1,
          updatedAt: now,
        }
      })
    },

    update(communityId, policyId, patch, now) {
      return inTransaction(db, async (trx) => {
        if (dialect === 'postgres') {
          // Lock the head so concurrent updates queue instead of racing for the same version
          // number (SQLite transactions are serialized already). A separate query: locking
          // inside the join would re-check the join against the old version row and drop it.
          await trx
            .selectFrom('policies')
            .select('id')
            .where('community_id', '=', communityId)
            .where('id', '=', policyId)
            .forUpdate()
            .execute()
        }
        const row = await selectPolicies(communityId, trx).where('p.id', '=', policyId).executeTakeFirst()
        if (!row) {
          throw new AppError('not_found', `policy ${policyId} not found`)
        }
        const current = toPolicy(row)
        const content: PolicyInput = {
          name: patch.name ?? current.name,
          description: patch.description ?? current.description,
          kind: patch.kind ?? current.kind,
          actionTypes: patch.actionTypes ?? current.actionTypes,
          priority: patch.priority ?? current.priority,
          variables: patch.variables ?? current.variables,
          blocks: patch.blocks ?? current.blocks,
        }
        const version = current.version + 1
        const versionId = await insertVersion(trx, communityId, policyId, version, content, now)
        await trx
          .updateTable('policies')
          .set({
            ...toContentColumns(content),
            name_key: nameKey(content.name),
            current_version_id: versionId,
            version,
            updated_at: now,
          })
          .where('community_id', '=', communityId)
          .where('id', '=', policyId)
          .execute()
        return { ...current, ...content, versionId, version, updatedAt: now }
      })
    },

    async setActive(communityId, policyId, active, now) {
      const result = await db
        .updateTable('policies')
        .set({ active: flag(active), updated_at: now })
        .where('community_id', '=', communityId)
        .where('id', '=', policyId)
        .executeTakeFirst()
      const policy = result.numUpdatedRows === 0n ? undefined : await get(communityId, policyId)
      if (!policy) {
        throw new AppError('not_found', `policy ${policyId} not found`)
      }
      return policy
    },

    get,

    async list(communityId, options = {}) {
      let query = selectPolicies(communityId)
      if (options.kind !== undefined) {
        query = query.where('p.kind', '=', options.kind)
      }
      if (options.activeOnly) {
        query = query.where('p.active', '=', 1)
      }
      const rows = await query.orderBy('p.id').execute()
      return rows.map(toPolicy)
    },

    activeNamed: (communityId, name) => activeNamed(db, 'policies', communityId, name),

    async candidates(communityId, kind, actionType) {
      // A cheap substring test on the stored JSON narrows the rows before they are parsed;
      // the exact membership test runs below.
      const needle = JSON.stringify(actionType)
      const rows = await selectPolicies(communityId)
        .where('p.kind', '=', kind)
        .where('p.active', '=', 1)
        .where((eb) =>
          eb.or([
            eb('p.action_types', '=', '[]'),
            dialect === 'postgres'
              ? eb(eb.fn('strpos', ['p.action_types', eb.val(needle)]), '>', 0)
              : eb(eb.fn('instr', ['p.action_types', eb.val(needle)]), '>', 0),
          ]),
        )
        .orderBy('p.priority', 'desc')
        .orderBy('p.updated_at', 'desc')
        .orderBy('p.id', 'desc')
        .execute()
      return rows
        .map(toPolicy)
        .filter((policy) => policy.actionTypes.length === 0 || policy.actionTypes.includes(actionType))
    },

    async getVersion(communityId, versionId) {
      const row = await db
        .selectFrom('policy_versions')
        .selectAll()
        .where('community_id', '=', communityId)
        .where('id', '=', versionId)
        .executeTakeFirst()
      return row && toVersion(row)
    },

    async versions(communityId, policyId) {
      const rows = await db
        .selectFrom('policy_versions')
        .selectAll()
        .where('community_id', '=', communityId)
        .where('policy_id', '=', policyId)
        .orderBy('version')
        .execute()
      return rows.map(toVersion)
    },
  }
}
