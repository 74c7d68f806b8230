import type { PolicyDocument } from '../domain/policy-document.ts'
import type { KitInput } from './kit.ts'

/**
 * Majority of the votes cast, with a quorum and a time limit. The electorate is fixed when the
 * proposal starts (the members holding `vote` then), so changing roles mid-vote changes nothing.
 * The outcome is declared early once the remaining votes could not change it.
 */
function majorityVotePolicy(kind: 'platform' | 'constitution', name: string, description: string): PolicyDocument {
  return {
    format: 'policykit.policy/1',
    name,
    description,
    kind,
    actionTypes: [],
    priority: 0,
    variables: [
      { name: 'quorum', label: 'Votes needed for a decision', type: 'number', isList: false, default: 3 },
      { name: 'timeLimitHours', label: 'Hours the vote stays open', type: 'number', isList: false, default: 72 },
    ],
    blocks: {
      filter: '',
      initialize: `const voters = constitution.getMembers({ permission: 'vote' }).map((m) => m.id)
proposal.data.set('voters', voters)`,
      check: `const voters = proposal.data.get('voters') || []
const yes = proposal.getYesVotes(voters).length
const no = proposal.getNoVotes(voters).length
// A quorum larger than the electorate could never be met: a small community needs everyone.
const quorum = Math.min(variables.quorum, voters.length)
if (yes * 2 > voters.length && yes + no >= quorum) {
  return PASSED
}
if (no * 2 >= voters.length) {
  return FAILED
}
if (proposal.getTimeElapsed() < variables.timeLimitHours * 60 * 60 * 1000) {
  return PROPOSED
}
if (yes + no < quorum) {
  logger.info('no quorum: ' + (yes + no) + ' of ' + quorum + ' votes cast')
  return FAILED
}
return yes > no ? PASSED : FAILED`,
      notify: `const who = action.initiator ? action.initiator.displayName : 'Someone'
constitution.initiateVote({
  text: who + ' proposes ' + action.type + '. The majority decides within ' + variables.timeLimitHours + ' hours.',
  users: proposal.data.get('voters'),
})`,
      pass: `logger.info('passed: ' + proposal.getYesVotes(proposal.data.get('voters')).length + ' yes')`,
      fail: `logger.info('failed: ' + proposal.getNoVotes(proposal.data.get('voters')).length + ' no')`,
    },
  }
}

export const democracyKit = {
  name: 'democracy',
  title: 'Democracy',
  description:
    'Every action is put to a vote of the members who may vote. The majority of votes cast decides, once a quorum has voted, within a time limit (by default 3 votes and 72 hours).',
  roles: [
    {
      name: 'Member',
      description: 'Everyone: proposes actions and votes on them.',
      permissions: ['propose:*', 'vote', 'view_logs'],
      isDefault: true,
      grantTo: 'all',
    },
  ],
  policies: [
    majorityVotePolicy(
      'platform',
      'Members vote on platform actions',
      'A majority of the votes cast, with a quorum, within the time limit.',
    ),
    majorityVotePolicy(
      'constitution',
      'Members vote on constitution actions',
      'A majority of the votes cast, with a quorum, within the time limit.',
    ),
  ],
} satisfies KitInput
