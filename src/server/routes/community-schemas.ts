import { z } from 'zod'
import { rowIdParam } from '../../domain/int4.ts'
import { actionKinds, executionStates } from '../../domain/action.ts'
import { logLevels } from '../../domain/community.ts'
import { blockNames, variableTypes, type PolicyBlocks } from '../../domain/policy.ts'
import type { ProposalStatus } from '../../domain/proposal.ts'
import { jsonValue } from '../api-schemas.ts'
import type {
  ActionJson,
  ActionTypeJson,
  PolicyNameJson,
  PolicyScopeJson,
  CommunityJson,
  DocumentJson,
  GoverningJson,
  IntegrationJson,
  LogJson,
  MemberJson,
  OverviewJson,
  PolicyCheckJson,
  PolicyJson,
  PolicySummaryJson,
  PolicyVersionJson,
  ProposalDetailJson,
  ProposalPageJson,
  ProposalSummaryJson,
  ProposeResultJson,
  RoleJson,
  VoteJson,
  VoteTallyJson,
} from '../presenters.ts'

/**
 * The zod schemas of the community routes' JSON (the shapes of presenters.ts, which each one
 * `satisfies`): responses are checked against them and the OpenAPI document is made from them.
 */

export const proposalStatuses = ['proposed', 'passed', 'failed', 'errored'] as const satisfies readonly ProposalStatus[]

const id = z.number().int()
const time = z.number().int().describe('epoch milliseconds')
export const jsonObject = z.record(z.string(), jsonValue)

/** A positive integer id in a path or query (they arrive as strings). */
export const idParam = rowIdParam

export const communityParams = z.object({ communityId: idParam })

export const roleJson = z.object({
  id,
  name: z.string(),
  description: z.string(),
  permissions: z.array(z.string()),
  isDefault: z.boolean(),
}) satisfies z.ZodType<RoleJson>

export const memberJson = z.object({
  id,
  username: z.string(),
  displayName: z.string(),
  roles: z.array(z.string()),
  platforms: z.array(z.string()),
  createdAt: time,
}) satisfies z.ZodType<MemberJson>

export const communityJson = z.object({
  id,
  name: z.string(),
  settings: jsonObject,
  createdAt: time,
  me: z.object({
    memberId: id,
    username: z.string(),
    displayName: z.string(),
    roles: z.array(z.string()),
    permissions: z.array(z.string()),
  }),
}) satisfies z.ZodType<CommunityJson>

export const documentJson = z.object({
  id,
  name: z.string(),
  text: z.string(),
  active: z.boolean(),
  updatedAt: time,
}) satisfies z.ZodType<DocumentJson>

export const blocksJson = z.object({
  filter: z.string(),
  initialize: z.string(),
  check: z.string(),
  notify: z.string(),
  pass: z.string(),
  fail: z.string(),
}) satisfies z.ZodType<PolicyBlocks>

const variableJson = z.object({
  name: z.string(),
  label: z.string(),
  type: z.enum(variableTypes),
  isList: z.boolean(),
  default: jsonValue,
  value: jsonValue,
})

const policyFields = {
  name: z.string(),
  description: z.string(),
  kind: z.enum(actionKinds),
  actionTypes: z.array(z.string()),
  priority: z.number().int(),
}

export const policySummaryJson = z.object({
  id,
  ...policyFields,
  active: z.boolean(),
  version: z.number().int(),
  updatedAt: time,
}) satisfies z.ZodType<PolicySummaryJson>

export const policyJson = policySummaryJson.extend({
  variables: z.array(variableJson),
  blocks: blocksJson,
}) satisfies z.ZodType<PolicyJson>

export const policyVersionJson = z.object({
  versionId: id,
  version: z.number().int(),
  ...policyFields,
  variables: z.array(variableJson),
  blocks: blocksJson,
  createdAt: time,
}) satisfies z.ZodType<PolicyVersionJson>

export const governingJson = z.object({
  kind: z.enum(actionKinds),
  type: z.string(),
  candidates: z.array(policySummaryJson),
}) satisfies z.ZodType<GoverningJson>

export const policyCheckJson = z.object({
  ok: z.boolean(),
  errors: z.array(z.object({ block: z.enum(blockNames), line: z.number().int().nullable(), message: z.string() })),
}) satisfies z.ZodType<PolicyCheckJson>

const policyNameJson = z.object({
  path: z.string(),
  kind: z.enum(['variable', 'property', 'method', 'constant', 'namespace']),
  detail: z.string(),
  doc: z.string(),
}) satisfies z.ZodType<PolicyNameJson>

export const policyScopeJson = z.object({
  names: z.array(policyNameJson),
  actionTypes: z.array(
    z.object({ type: z.string(), kind: z.enum(actionKinds), description: z.string(), fields: z.array(policyNameJson) }),
  ),
}) satisfies z.ZodType<PolicyScopeJson>

export const actionTypeJson = z.object({
  type: z.string(),
  platform: z.string(),
  kind: z.enum(actionKinds),
  description: z.string(),
  paramsSchema: jsonObject.describe('JSON Schema (draft 2020-12) of params'),
  canPropose: z.boolean(),
  canExecute: z.boolean(),
  revertible: z.boolean(),
}) satisfies z.ZodType<ActionTypeJson>

export const actionJson = z.object({
  id,
  kind: z.enum(actionKinds),
  type: z.string(),
  platform: z.string(),
  origin: z.enum(['platform', 'policykit']),
  initiator: z.object({ id, username: z.string(), displayName: z.string() }).nullable(),
  params: jsonObject,
  executionState: z.enum(executionStates),
  createdAt: time,
}) satisfies z.ZodType<ActionJson>

export const proposeResultJson = z.object({
  status: z.enum(['executed', 'ungoverned', 'duplicate', ...proposalStatuses]),
  action: actionJson,
  proposalId: id.nullable(),
  proposalNumber: z.number().int().nullable().describe("the proposal's number within the community"),
  created: z
    .record(z.string(), z.union([z.number(), z.string()]))
    .describe('Ids of what carrying the action out made (documentId, roleId, policyId, versionId); {} until it ran'),
}) satisfies z.ZodType<ProposeResultJson>

const tallyJson = z.object({
  yes: z.number().int(),
  no: z.number().int(),
  choices: z.record(z.string(), z.number().int()),
  total: z.number().int(),
}) satisfies z.ZodType<VoteTallyJson>

export const proposalSummaryJson = z.object({
  id,
  number: z.number().int().min(1).describe('Its number within the community (1, 2, 3…); routes take id'),
  status: z.enum(proposalStatuses),
  title: z.string(),
  action: actionJson,
  policy: z.object({ id, name: z.string(), version: z.number().int() }),
  proposedAt: time,
  decidedAt: time.nullable(),
  tally: tallyJson,
}) satisfies z.ZodType<ProposalSummaryJson>

const voteJson = z.object({
  memberId: id,
  username: z.string(),
  displayName: z.string(),
  value: jsonValue,
  castAt: time,
}) satisfies z.ZodType<VoteJson>

export const logJson = z.object({
  id,
  level: z.enum(logLevels),
  message: z.string(),
  details: jsonObject.nullable(),
  platform: z.string().nullable(),
  proposalId: id.nullable(),
  proposalNumber: z.number().int().nullable(),
  actionId: id.nullable(),
  policyId: id.nullable(),
  createdAt: time,
}) satisfies z.ZodType<LogJson>

export const proposalDetailJson = proposalSummaryJson.extend({
  subject: z.object({ name: z.string(), path: z.string() }).nullable(),
  diff: z.string().nullable(),
  stillToVote: z.array(z.object({ memberId: id, username: z.string(), displayName: z.string() })).nullable(),
  related: z.array(proposalSummaryJson.pick({ id: true, number: true, status: true, policy: true })),
  vote: z
    .object({
      platform: z.string(),
      url: z.string().nullable(),
      text: z.string(),
      options: z.array(z.string()).nullable(),
      canVote: z.boolean(),
      myVote: jsonValue.nullable(),
    })
    .nullable(),
  votes: z.array(voteJson),
  data: jsonObject,
  logs: z.array(logJson),
  timeline: z.array(
    z.object({
      at: time,
      what: z.enum(['proposed', 'vote_opened', 'voted', 'decided', 'executed', 'reverted', 'failed']),
      text: z.string(),
    }),
  ),
}) satisfies z.ZodType<ProposalDetailJson>

export const proposalPageJson = z.object({
  items: z.array(proposalSummaryJson),
  nextBefore: id.nullable(),
}) satisfies z.ZodType<ProposalPageJson>

export const overviewJson = z.object({
  pending: z.array(proposalSummaryJson),
  waitingForYou: z.array(proposalSummaryJson),
  recentDecisions: z.array(proposalSummaryJson),
  decisionsByDay: z.array(z.object({ day: z.string(), passed: z.number().int(), failed: z.number().int() })),
}) satisfies z.ZodType<OverviewJson>

export const integrationJson = z.object({
  id,
  platform: z.string(),
  externalId: z.string(),
  config: jsonObject,
  active: z.boolean(),
  createdAt: time,
}) satisfies z.ZodType<IntegrationJson>
