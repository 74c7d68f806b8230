import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { policyInput } from '../../store/seed.ts'
import { startRig, type Rig } from './events-rig.ts'

/** A vote on a policy change in Slack shows the policy's name and, in its thread, the change. */
describe('a Slack vote on a policy change', () => {
  let rig: Rig
  before(async () => {
    rig = await startRig('sqlite')
  })
  after(() => rig.close())

  it('is titled with the policy and followed in its thread by the diff against the version in force', async () => {
    const target = await rig.store.policies.create(
      rig.communityId,
      policyInput({ name: 'Greeters', kind: 'trigger', actionTypes: ['slack.member_joined_channel'] }),
      rig.clock.now(),
    )
    await rig.store.policies.create(
      rig.communityId,
      policyInput({
        name: 'Changes go to Slack',
        kind: 'constitution',
        blocks: {
          filter: '',
          initialize: '',
          check: 'return PROPOSED',
          notify: `slack.initiateVote({ channel: '${rig.channel.id}' })`,
          pass: '',
          fail: '',
        },
      }),
      rig.clock.now(),
    )
    const outcome = await rig.engine.propose({
      communityId: rig.communityId,
      type: 'constitution.changePolicy',
      params: { policyId: target.id, blocks: { pass: "slack.postMessage('Welcome!')" } },
      initiatorId: null,
      origin: 'policykit',
    })
    assert.equal(outcome.status, 'proposed')
    assert.ok('proposal' in outcome)
    await rig.fake.idle()
    const vote = rig.channel.messages.find(
      (m) => m.text === `Vote on proposal #${outcome.proposal.number}: Change policy ‘Greeters’`,
    )
    assert.ok(vote, JSON.stringify(rig.channel.messages.map((m) => m.text)))
    const change = rig.channel.messages.find((m) => m.threadTs === vote.ts)
    assert.ok(change, 'a reply in the vote message’s thread')
    assert.match(change.text, /^Change policy ‘Greeters’: the change against the version in force\n```\n@@ /)
    assert.match(change.text, /^\+slack\.postMessage\('Welcome!'\)$/m)
  })
})
