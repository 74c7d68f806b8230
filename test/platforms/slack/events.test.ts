import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { sql } from 'kysely'
import { ensureSlackMember } from '../../support/slack-records.ts'
import { voteActionId } from '../../../src/platforms/slack/voting/vote-message.ts'
import type { FakeUser } from '../../fakes/slack/fake-slack.ts'
import { signSlackRequest } from '../../fakes/slack/signing.ts'
import { testDialects } from '../../support/test-store.ts'
import { startRig, type Rig } from './events-rig.ts'

const posted = (rig: Rig, ts: string) => rig.fake.workspace.message(rig.channel, ts)

for (const dialect of testDialects()) {
  describe(`${dialect}: Slack events and interactivity endpoints`, () => {
    let rig: Rig

    beforeEach(async () => {
      rig = await startRig(dialect)
    })
    afterEach(() => rig.close())

    it('answers the url_verification challenge', async () => {
      const delivery = await rig.fake.verifyEventsUrl('a-challenge-from-slack')
      assert.equal(delivery.status, 200)
      assert.deepEqual(JSON.parse(delivery.body), { challenge: 'a-challenge-from-slack' })
    })

    it('governs a member’s message as an action that already happened, adding the new member', async () => {
      const { message, deliveries } = await rig.fake.as(rig.ada).postMessage(rig.channel, 'hello garden')
      assert.equal(deliveries[0]?.status, 200)
      const [action] = await rig.actions()
      assert.ok(action)
      assert.equal(action.type, 'slack.postMessage')
      assert.equal(action.origin, 'platform')
      assert.equal(action.externalId, deliveries[0]?.eventId)
      assert.deepEqual(action.params, { channel: rig.channel.id, text: 'hello garden' })
      assert.deepEqual(action.result, { channel: rig.channel.id, ts: message.ts })
      const member = await rig.store.members.findByAccount(rig.communityId, 'slack', rig.ada.id)
      assert.equal(member?.id, action.initiatorId)
      assert.equal(member?.displayName, 'Ada Lovelace')
      assert.ok(posted(rig, message.ts), 'no policy governs it, so it stays')
    })

    it('refuses a forged signature with 401 and changes nothing', async () => {
      rig.fake.tamperNext({ signature: 'bad' })
      const { message, deliveries } = await rig.fake.as(rig.ada).postMessage(rig.channel, 'forged')
      assert.equal(deliveries[0]?.status, 401)
      assert.deepEqual(await rig.actions(), [])
      assert.equal(await rig.store.members.findByAccount(rig.communityId, 'slack', rig.ada.id), undefined)
      assert.ok(posted(rig, message.ts))
    })

    it('refuses a stale timestamp (a replay) with 401 and changes nothing', async () => {
      rig.fake.tamperNext({ stale: true })
      const { deliveries } = await rig.fake.as(rig.ada).postMessage(rig.channel, 'from six minutes ago')
      assert.equal(deliveries[0]?.status, 401)
      assert.deepEqual(await rig.actions(), [])
    })

    it('refuses an unsigned interaction with 401', async () => {
      const payload = { type: 'block_actions', user: { id: rig.ada.id }, actions: [{ action_id: voteActionId }] }
      const response = await rig.app.inject({
        method: 'POST',
        url: '/platforms/slack/interactivity',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
      })
      assert.equal(response.statusCode, 401)
    })

    it('makes one action of an event Slack delivers again (X-Slack-Retry-Num, same event_id)', async () => {
      const { deliveries } = await rig.fake.as(rig.ada).postMessage(rig.channel, 'said once')
      const retried = await rig.fake.redeliverLast(1)
      assert.equal(retried.status, 200)
      assert.equal(retried.eventId, deliveries[0]?.eventId)
      const actions = await rig.actions()
      assert.equal(actions.length, 1)
      const retryRecord = rig.fake.deliveries.at(-1)
      assert.equal(retryRecord?.headers['x-slack-retry-num'], '1')
    })

    it('ignores events from a workspace no community is connected to, or one disconnected', async () => {
      // Signed with the app's secret (Slack signs every workspace's events alike), for another team.
      const body = JSON.stringify({
        type: 'event_callback',
        team_id: 'T0OTHERTEAM',
        api_app_id: rig.fake.workspace.appId,
        event_id: 'Ev0OTHER1',
        event_time: Math.floor(rig.clock.now() / 1000),
        event: { type: 'message', user: 'U0MALLORY', text: 'not yours', channel: 'C0OTHER', ts: '1767225600.000100' },
      })
      const timestamp = Math.floor(rig.clock.now() / 1000)
      const response = await rig.app.inject({
        method: 'POST',
        url: '/platforms/slack/events',
        headers: {
          'content-type': 'application/json',
          'x-slack-request-timestamp': String(timestamp),
          'x-slack-signature': signSlackRequest(rig.fake.signingSecret, timestamp, body),
        },
        payload: body,
      })
      assert.equal(response.statusCode, 200)
      assert.deepEqual(await rig.actions(), [])

      const [integration] = await rig.store.integrations.list(rig.communityId)
      assert.ok(integration)
      await rig.store.integrations.setActive(rig.communityId, integration.id, false)
      const { deliveries } = await rig.fake.as(rig.ada).postMessage(rig.channel, 'after disconnecting')
      assert.equal(deliveries[0]?.status, 200)
      assert.deepEqual(await rig.actions(), [])
    })

    it('undoes at once what a member may not do, and tells them privately why', async () => {
      const muted = await rig.store.roles.create(rig.communityId, { name: 'Muted', permissions: ['vote'] })
      const ada = await ensureSlackMember(rig.store, rig.communityId, { id: rig.ada.id, name: 'ada' }, rig.clock.now())
      await rig.store.roles.assign(rig.communityId, ada.id, muted.id)

      const { message } = await rig.fake.as(rig.ada).postMessage(rig.channel, 'I may not say this')
      assert.equal(posted(rig, message.ts), undefined, 'the message was deleted')
      const [action] = await rig.actions()
      assert.equal(action?.executionState, 'reverted')
      const notices = rig.fake.workspace.ephemerals.filter((e) => e.user === rig.ada.id)
      assert.equal(notices.length, 1)
      assert.match(notices[0]?.text ?? '', /undid your message: .*may not propose slack\.postMessage/)
      assert.equal(notices[0]?.channel, rig.channel.id)
    })

    it('does not govern its own calls again: bot messages and the echoes it expected', async () => {
      const boss = await rig.store.roles.create(rig.communityId, { name: 'Boss', permissions: ['execute:*'] })
      const bob = await ensureSlackMember(rig.store, rig.communityId, { id: rig.bob.id, name: 'bob' }, rig.clock.now())
      await rig.store.roles.assign(rig.communityId, bob.id, boss.id)
      const { message } = await rig.fake.as(rig.ada).postMessage(rig.channel, 'pin me')
      await rig.fake.idle()
      assert.equal((await rig.actions()).length, 1)

      const pin = await rig.engine.propose({
        communityId: rig.communityId,
        type: 'slack.pinMessage',
        params: { channel: rig.channel.id, ts: message.ts },
        initiatorId: bob.id,
        origin: 'policykit',
      })
      assert.equal(pin.status, 'executed')
      const say = await rig.engine.propose({
        communityId: rig.communityId,
        type: 'slack.postMessage',
        params: { channel: rig.channel.id, text: 'from PolicyKit' },
        initiatorId: bob.id,
        origin: 'policykit',
      })
      assert.equal(say.status, 'executed')
      await rig.fake.idle()

      assert.deepEqual(rig.channel.pins, [message.ts])
      const types = rig.fake.deliveries.filter((d) => d.status === 200).map((d) => d.eventType)
      assert.ok(types.includes('pin_added') && types.filter((t) => t === 'message').length === 2, types.join())
      assert.deepEqual(
        (await rig.actions()).map((a) => [a.type, a.origin]),
        [
          ['slack.postMessage', 'policykit'],
          ['slack.pinMessage', 'policykit'],
          ['slack.postMessage', 'platform'],
        ],
      )
      const left = await sql<{ n: number }>`select count(*) as n from platform_echoes`.execute(rig.store.db)
      assert.equal(Number(left.rows[0]?.n), 0, 'the expected echo was used up')

      // The same pin made by a member later is theirs, and governed.
      rig.channel.pins = []
      await rig.fake.as(rig.ada).pinMessage(rig.channel, message.ts)
      assert.equal((await rig.actions()).filter((a) => a.type === 'slack.pinMessage').length, 2)
    })

    it('offers each event to trigger policies as slack.<event type>, with its fields', async () => {
      const policyId = await rig.policy({
        kind: 'trigger',
        actionTypes: ['slack.reaction_added'],
        blocks: { filter: `return action.reaction === 'tada'`, check: 'return PASSED' },
      })
      const { message } = await rig.fake.as(rig.ada).postMessage(rig.channel, 'we won')
      await rig.fake.as(rig.bob).react(rig.channel, message.ts, 'tada')
      await rig.fake.as(rig.bob).react(rig.channel, message.ts, 'eyes')
      const proposals = (await rig.store.proposals.list(rig.communityId)).filter((p) => p.policyId === policyId)
      assert.equal(proposals.length, 1)
      const trigger = await rig.store.actions.get(rig.communityId, proposals[0]?.actionId ?? 0)
      assert.equal(trigger?.type, 'slack.reaction_added')
      assert.equal(trigger?.params['user'], rig.bob.id)
      const bob = await rig.store.members.findByAccount(rig.communityId, 'slack', rig.bob.id)
      assert.equal(trigger?.initiatorId, bob?.id)

      // Another reaction runs it again; a retried delivery of that event does not.
      await rig.fake.as(rig.ada).react(rig.channel, message.ts, 'tada')
      await rig.fake.redeliverLast(1)
      const after = (await rig.store.proposals.list(rig.communityId)).filter((p) => p.policyId === policyId)
      assert.equal(after.length, 2)
    })

    it('counts vote buttons and reactions on its vote message; a removed reaction takes its vote back', async () => {
      await rig.policy({
        kind: 'platform',
        actionTypes: ['slack.postMessage'],
        blocks: {
          notify: `slack.initiateVote({ text: 'Keep this message?' })`,
          check: `return proposal.getYesVotes().length >= 2 ? PASSED : PROPOSED`,
        },
      })
      const { message } = await rig.fake.as(rig.ada).postMessage(rig.channel, 'vote on me')
      await rig.fake.idle()
      const [proposal] = await rig.store.proposals.list(rig.communityId)
      assert.ok(proposal?.votePostId)
      const voteTs = proposal.votePostId.split(':')[1] ?? ''

      await rig.fake.as(rig.bob).react(rig.channel, voteTs, '+1')
      assert.equal(await rig.store.votes.count(rig.communityId, proposal.id), 1)
      await rig.fake.as(rig.bob).unreact(rig.channel, voteTs, '+1')
      assert.equal(await rig.store.votes.count(rig.communityId, proposal.id), 0)

      await rig.fake.as(rig.bob).clickButton(rig.channel, voteTs, voteActionId, 'yes')
      await rig.fake.idle()
      const tally = rig.fake.workspace.message(rig.channel, voteTs)
      assert.match(JSON.stringify(tally?.blocks), /1 vote so far/)
      await rig.fake.as(rig.ada).clickButton(rig.channel, voteTs, voteActionId, 'yes')
      await rig.fake.idle()
      assert.equal((await rig.store.proposals.get(rig.communityId, proposal.id))?.status, 'passed')
      const reposted = rig.channel.messages.filter((m) => m.text === 'vote on me' && !m.deleted)
      assert.equal(reposted.length, 1)
      assert.notEqual(reposted[0]?.ts, message.ts)
    })

    it('tells a voter privately when their vote does not count: not eligible, or the vote has closed', async () => {
      await rig.policy({
        kind: 'platform',
        actionTypes: ['slack.postMessage'],
        blocks: {
          notify: `slack.initiateVote({ text: 'Only Ada decides', users: [action.initiator] })`,
          check: `return proposal.getYesVotes().length >= 1 ? PASSED : PROPOSED`,
        },
      })
      await rig.fake.as(rig.ada).postMessage(rig.channel, 'my own call')
      await rig.fake.idle()
      const [proposal] = await rig.store.proposals.list(rig.communityId)
      const voteTs = proposal?.votePostId?.split(':')[1] ?? ''
      const noticesTo = (user: FakeUser) => rig.fake.workspace.ephemerals.filter((e) => e.user === user.id)

      await rig.fake.as(rig.bob).clickButton(rig.channel, voteTs, voteActionId, 'yes')
      await rig.fake.idle()
      assert.equal(await rig.store.votes.count(rig.communityId, proposal?.id ?? 0), 0)
      assert.deepEqual(
        noticesTo(rig.bob).map((e) => e.text),
        ['You are not eligible to vote on this.'],
      )

      await rig.fake.as(rig.ada).react(rig.channel, voteTs, '+1')
      await rig.fake.idle()
      assert.equal((await rig.store.proposals.get(rig.communityId, proposal?.id ?? 0))?.status, 'passed')
      await rig.fake.as(rig.ada).react(rig.channel, voteTs, '-1')
      await rig.fake.idle()
      assert.match(noticesTo(rig.ada).at(-1)?.text ?? '', /This vote has closed/)
    })
  })
}
