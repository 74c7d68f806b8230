import type { PolicyDocument } from '../domain/policy-document.ts'
import type { KitInput } from './kit.ts'

/**
 * A jury drawn at random when the proposal starts (`initialize` runs once; the host seeds
 * Math.random, so a replay draws the same jury), kept in proposal.data. The initiator is left
 * out unless nobody else may vote. A majority of the jury decides; without one by the time
 * limit, the action fails.
 */
function juryPolicy(kind: 'platform' | 'constitution', name: string): PolicyDocument {
  return {
    format: 'policykit.policy/1',
    name,
    description: 'A random jury of members decides by majority within the time limit.',
    kind,
    actionTypes: [],
    priority: 0,
    variables: [
      { name: 'jurySize', label: 'Jurors drawn for each proposal', type: 'number', isList: false, default: 3 },
      { name: 'timeLimitHours', label: 'Hours the jury has to decide', type: 'number', isList: false, default: 48 },
    ],
    blocks: {
      filter: '',
      initialize: `const initiatorId = action.initiator ? action.initiator.id : null
const members = constitution.getMembers({ permission: 'vote' })
const everyone = members.map((m) => m.id)
const others = everyone.filter((id) => id !== initiatorId)
const pool = others.length > 0 ? others : everyone
for (let i = pool.length - 1; i > 0; i--) {
  const j = Math.floor(Math.random() * (i + 1))
  const t = pool[i]
  pool[i] = pool[j]
  pool[j] = t
}
const jury = pool.slice(0, variables.jurySize)
proposal.data.set('jury', jury)
logger.info('jury drawn: ' + members.filter((m) => jury.includes(m.id)).map((m) => m.username).join(', '))`,
      check: `const jury = proposal.data.get('jury') || []
const majority = Math.floor(jury.length / 2) + 1
const yes = proposal.getYesVotes(jury).length
const no = proposal.getNoVotes(jury).length
if (yes >= majority) {
  return PASSED
}
if (jury.length - no < majority) {
  return FAILED
}
if (proposal.getTimeElapsed() >= variables.timeLimitHours * 60 * 60 * 1000) {
  logger.info('the jury reached no majority in time')
  return FAILED
}
return PROPOSED`,
      notify: `const who = action.initiator ? action.initiator.displayName : 'Someone'
constitution.initiateVote({
  text: who + ' proposes ' + action.type + '. You are on the jury: please deliberate amongst yourselves before voting.',
  users: proposal.data.get('jury'),
})`,
      pass: `logger.info('the jury approved ' + action.type)`,
      fail: `logger.info('the jury rejected ' + action.type)`,
    },
  }
}

export const juryKit = {
  name: 'jury',
  title: 'Jury',
  description:
    'Every action goes to a jury of members drawn at random (3 by default). A majority of the jury decides within a time limit (48 hours by default).',
  roles: [
    {
      name: 'Member',
      description: 'Everyone: proposes actions and may be drawn for a jury.',
      permissions: ['propose:*', 'vote', 'view_logs'],
      isDefault: true,
      grantTo: 'all',
    },
  ],
  policies: [
    juryPolicy('platform', 'A jury decides platform actions'),
    juryPolicy('constitution', 'A jury decides constitution actions'),
  ],
} satisfies KitInput
