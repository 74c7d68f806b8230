import type { PolicyDocument } from '../domain/policy-document.ts'

/**
 * The policy code of the dictator and moderators kits: actions by a holder of the approver role
 * pass at once; anyone else's wait for a holder's vote, where one yes passes and one no fails.
 * Only votes of current holders count, whoever else votes (the vote is open to them alone).
 */
export function roleApprovalPolicy(options: {
  name: string
  description: string
  kind: 'platform' | 'constitution'
  role: string
}): PolicyDocument {
  return {
    format: 'policykit.policy/1',
    name: options.name,
    description: options.description,
    kind: options.kind,
    actionTypes: [],
    priority: 0,
    variables: [
      {
        name: 'approverRole',
        label: 'Role whose members approve or reject',
        type: 'role',
        isList: false,
        default: options.role,
      },
    ],
    blocks: {
      filter: '',
      initialize: '',
      check: `const role = variables.approverRole
if (action.initiator && action.initiator.roles.includes(role)) {
  return PASSED
}
const approvers = constitution.getMembers({ role }).map((m) => m.id)
if (proposal.getNoVotes(approvers).length > 0) {
  return FAILED
}
if (proposal.getYesVotes(approvers).length > 0) {
  return PASSED
}
return PROPOSED`,
      notify: `const who = action.initiator ? action.initiator.displayName : 'Someone'
constitution.initiateVote({
  text: who + ' proposes ' + action.type + '. One ' + variables.approverRole + ' approves or rejects it.',
  role: variables.approverRole,
})`,
      pass: `logger.info(action.type + ' approved')`,
      fail: `logger.info(action.type + ' rejected by a ' + variables.approverRole)`,
    },
  }
}
