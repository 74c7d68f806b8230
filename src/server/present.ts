import type { Action } from '../domain/action.ts'
import type { Document, EvaluationLog, Integration } from '../domain/community.ts'
import type { Member, Role } from '../domain/member.ts'
import type { Policy, PolicyVersion } from '../domain/policy.ts'
import type { Vote } from '../domain/vote.ts'
import type {
  ActionJson,
  DocumentJson,
  IntegrationJson,
  LogJson,
  PolicyJson,
  PolicySummaryJson,
  PolicyVersionJson,
  RoleJson,
  VoteTallyJson,
} from './presenters.ts'

/** Domain objects as the API shows them (presenters.ts has the shapes). */

export function presentRole(role: Role): RoleJson {
  return {
    id: role.id,
    name: role.name,
    description: role.description,
    permissions: role.permissions,
    isDefault: role.isDefault,
  }
}

export function presentDocument(doc: Document): DocumentJson {
  return { id: doc.id, name: doc.name, text: doc.text, active: doc.active, updatedAt: doc.updatedAt }
}

export function presentPolicySummary(policy: Policy): PolicySummaryJson {
  return {
    id: policy.id,
    name: policy.name,
    description: policy.description,
    kind: policy.kind,
    actionTypes: policy.actionTypes,
    priority: policy.priority,
    active: policy.active,
    version: policy.version,
    updatedAt: policy.updatedAt,
  }
}

export function presentPolicy(policy: Policy): PolicyJson {
  return { ...presentPolicySummary(policy), variables: policy.variables, blocks: policy.blocks }
}

export function presentPolicyVersion(version: PolicyVersion): PolicyVersionJson {
  return {
    versionId: version.versionId,
    version: version.version,
    name: version.name,
    description: version.description,
    kind: version.kind,
    actionTypes: version.actionTypes,
    priority: version.priority,
    variables: version.variables,
    blocks: version.blocks,
    createdAt: version.createdAt,
  }
}

export function presentLog(log: EvaluationLog): LogJson {
  return {
    id: log.id,
    level: log.level,
    message: log.message,
    details: log.details,
    platform: log.platform,
    proposalId: log.proposalId,
    proposalNumber: log.proposalNumber,
    actionId: log.actionId,
    policyId: log.policyId,
    createdAt: log.createdAt,
  }
}

/** Credentials never leave the store; `config` is what the platform keeps in the open. */
export function presentIntegration(integration: Integration): IntegrationJson {
  return {
    id: integration.id,
    platform: integration.platform,
    externalId: integration.externalId,
    config: integration.config,
    active: integration.active,
    createdAt: integration.createdAt,
  }
}

/** `initiator`: the member who proposed it, when there was one and they are still found. */
export function presentAction(action: Action, initiator: Member | undefined): ActionJson {
  return {
    id: action.id,
    kind: action.kind,
    type: action.type,
    platform: action.platform,
    origin: action.origin,
    initiator: initiator
      ? { id: initiator.id, username: initiator.username, displayName: initiator.displayName }
      : null,
    params: action.params,
    executionState: action.executionState,
    createdAt: action.createdAt,
  }
}

export function tallyVotes(votes: readonly Vote[]): VoteTallyJson {
  const tally: VoteTallyJson = { yes: 0, no: 0, choices: {}, total: votes.length }
  for (const vote of votes) {
    switch (vote.kind) {
      case 'boolean':
        tally[vote.value ? 'yes' : 'no']++
        break
      case 'choice':
        tally.choices[vote.value] = (tally.choices[vote.value] ?? 0) + 1
        break
      case 'number':
        break
    }
  }
  return tally
}
