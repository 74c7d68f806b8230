import type { Selectable } from 'kysely'
import { z } from 'zod'
import { actionKinds } from '../domain/action.ts'
import { blockNames, variableTypes, type Policy, type PolicyVersion } from '../domain/policy.ts'
import type { PolicyVersionsTable } from './database.ts'
import { parseEnum, parseJsonAs } from './rows.ts'
import type { PolicyInput } from './store.ts'

/**
 * Policy rows to domain objects. A Policy is the head row joined with its current version; the
 * content columns (name, kind, …) read the same from either table.
 */
const actionTypesSchema = z.array(z.string())
const blocksSchema = z.record(z.enum(blockNames), z.string())
const variablesSchema = z.array(
  z.object({
    name: z.string(),
    label: z.string(),
    type: z.enum(variableTypes),
    isList: z.boolean(),
    default: z.json().default(null),
    value: z.json().default(null),
  }),
)

/** The content columns, identical in the head row and each version row. */
interface ContentRow {
  name: string
  kind: string
  action_types: string
  priority: number
  description: string
  variables: string
  blocks: string
}

function toContent(table: string, id: number, row: ContentRow): PolicyInput {
  return {
    name: row.name,
    description: row.description,
    kind: parseEnum(table, id, 'kind', row.kind, actionKinds),
    actionTypes: parseJsonAs(table, id, 'action_types', row.action_types, actionTypesSchema),
    priority: row.priority,
    variables: parseJsonAs(table, id, 'variables', row.variables, variablesSchema),
    blocks: parseJsonAs(table, id, 'blocks', row.blocks, blocksSchema),
  }
}

export function toContentColumns(input: PolicyInput) {
  return {
    name: input.name,
    kind: input.kind,
    action_types: JSON.stringify(input.actionTypes),
    priority: input.priority,
  }
}

export interface HeadRow extends ContentRow {
  id: number
  community_id: number
  active: number
  current_version_id: number
  version: number
  updated_at: number
}

export function toPolicy(row: HeadRow): Policy {
  return {
    id: row.id,
    communityId: row.community_id,
    ...toContent('policies', row.id, row),
    active: row.active === 1,
    versionId: row.current_version_id,
    version: row.version,
    updatedAt: row.updated_at,
  }
}

export function toVersion(row: Selectable<PolicyVersionsTable>): PolicyVersion {
  return {
    versionId: row.id,
    policyId: row.policy_id,
    communityId: row.community_id,
    ...toContent('policy_versions', row.id, row),
    version: row.version,
    createdAt: row.created_at,
  }
}
