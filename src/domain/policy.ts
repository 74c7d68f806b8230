import type { ActionKind } from './action.ts'
import type { JsonValue } from './json.ts'

export const blockNames = ['filter', 'initialize', 'check', 'notify', 'pass', 'fail'] as const
export type BlockName = (typeof blockNames)[number]
export type PolicyBlocks = Record<BlockName, string>

export const variableTypes = ['string', 'number', 'boolean', 'timestamp', 'member', 'role', 'json'] as const
export type VariableType = (typeof variableTypes)[number]

export interface PolicyVariable {
  name: string
  label: string
  type: VariableType
  isList: boolean
  default: JsonValue
  value: JsonValue
}

export interface Policy {
  id: number
  communityId: number
  name: string
  description: string
  kind: ActionKind
  /** Empty for a base policy of kind platform or constitution: the fallback for every type. */
  actionTypes: string[]
  priority: number
  variables: PolicyVariable[]
  blocks: PolicyBlocks
  active: boolean
  /** The id of the current version row; proposals pin the version they started with. */
  versionId: number
  version: number
  updatedAt: number
}

/** One kept state of a policy; a proposal evaluates the version it started with. */
export type PolicyVersion = Omit<Policy, 'id' | 'versionId' | 'active' | 'updatedAt'> & {
  versionId: number
  policyId: number
  createdAt: number
}

export function emptyBlocks(): PolicyBlocks {
  return { filter: '', initialize: '', check: '', notify: '', pass: '', fail: '' }
}

export function variableValues(variables: PolicyVariable[]): Record<string, JsonValue> {
  const values: Record<string, JsonValue> = {}
  for (const v of variables) {
    values[v.name] = v.value ?? v.default
  }
  return values
}
