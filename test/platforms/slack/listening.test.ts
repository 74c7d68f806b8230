import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { sql } from 'kysely'
import type { Member } from '../../../src/domain/member.ts'
import { staleHandlingMs } from '../../../src/platforms/kit/delivery-ledger.ts'
import { claimEvent, ensureSlackMember, finishEvent } from '../../support/slack-records.ts'
import { voteActionId } from '../../../src/platforms/slack/voting/vote-message.ts'
import { eventEnvelope } from '../../fakes/slack/events.ts'
import type { FakeUser } from '../../fakes/slack/fake-slack.ts'
import { signSlackRequest } from '../../fakes/slack/signing.ts'
import { testDialects } from '../../support/test-store.ts'
import { startRig, type Rig } from './events-rig.ts'

/**
 * What the listener makes of who acted and of deliveries it has seen before: non-people do not
 * vote or initiate, posting subtypes are governed, a crashed handling is taken over, PolicyKit's
 * own kicks, deletions, unpins and renames are its own, a replayed click counts once.
 */

/** Sends one event as Slack would (signed, in its envelope), under `eventId`. */
async function deliver(rig: Rig, event: Record<string, unknown>, eventId: string): Promise<number> {
  const body = JSON.stringify(eventEnvelope(rig.fake.workspace, rig.fake.verificationToken, event, eventId))
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
  return response.statusCode
}

/** A Slack user who joined the workspace (and #garden) after the install. */
function newcomer(rig: Rig, name: string, traits: Partial<FakeUser> = {}): FakeUser {
  const user = rig.fake.addUser({ name })
  Object.assign(user, traits)
  rig.channel.members.push(user.id)
  return user
}

async function grant(rig: Rig, user: FakeUser, permissions: string[]): Promise<Member> {
  const role = await rig.store.roles.create(rig.communityId, { name: `role of ${user.name}`, permissions })
  const member = await ensureSlackMember(rig.store, rig.communityId, { id: user.id, name: user.name }, rig.clock.now())
  await rig.store.roles.assign(rig.communityId, member.id, role.id)
  return member
}

const voteOnMessages = {
  kind: 'platform' as const,
  actionTypes: ['slack.postMessage'],
  blocks: {
    notify: `slack.initiateVote({ text: 'Keep this message?' })`,
    check: `
      if (proposal.getYesVotes().length >= 3) return PASSED
      if (proposal.getTimeElapsed() > 60000) return FAILED
      return PROPOSED`,
  },
}

/** Ada posts in #garden under `voteOnMessages`: the proposal and its vote message's ts. */
async function openVote(rig: Rig): Promise<{ proposalId: number; voteTs: string }> {
  await rig.fake.as(rig.ada).postMessage(rig.channel, 'vote on me')
  await rig.fake.idle()
  const [proposal] = await rig.store.proposals.list(rig.communityId)
  assert.ok(proposal?.votePostId)
  return { proposalId: proposal.id, voteTs: proposal.votePostId.split(':')[1] ?? '' }
}

for (const dialect of testDialects()) {
  describe(`${dialect}: Slack listening: who acted, and deliveries seen before`, () => {
    let rig: Rig

    beforeEach(async () => {
      rig = await startRig(dialect)
    })
    afterEach(() => rig.close())

    it('counts no vote of bots, app users, deactivated accounts or other teams’ people, and makes them no member; a newcomer votes', async () => {
      await rig.policy(voteOnMessages)
      const watch = await rig.policy({
        kind: 'trigger',
        actionTypes: ['slack.reaction_added'],
        blocks: { check: 'return PASSED' },
      })
      const { proposalId, voteTs } = await openVote(rig)
      const robot = newcomer(rig, 'robot', { isBot: true })
      const app = newcomer(rig, 'workflow', { isAppUser: true })
      const gone = newcomer(rig, 'gone', { deleted: true })
      const outsider = newcomer(rig, 'partner', { teamId: 'T0PARTNER' })
      const newbie = newcomer(rig, 'newbie')

      await rig.fake.as(robot).react(rig.channel, voteTs, '+1')
      for (const user of [app, gone, outsider]) {
        await rig.fake.as(user).clickButton(rig.channel, voteTs, voteActionId, 'yes')
      }
      await rig.fake.idle()
      assert.equal(await rig.store.votes.count(rig.communityId, proposalId), 0)
      for (const user of [robot, app, gone, outsider]) {
        assert.equal(await rig.store.members.findByAccount(rig.communityId, 'slack', user.id), undefined, user.name)
      }
      const notices = (user: FakeUser) => rig.fake.workspace.ephemerals.filter((e) => e.user === user.id)
      assert.deepEqual(notices(robot), [], 'a reaction is not answered')
      for (const user of [app, gone, outsider]) {
        assert.deepEqual(
          notices(user).map((e) => e.text),
          ['You are not eligible to vote on this.'],
        )
      }
      // The robot's reaction still triggers, with no initiator.
      const triggered = (await rig.store.proposals.list(rig.communityId)).filter((p) => p.policyId === watch)
      assert.equal(triggered.length, 1)
      const trigger = await rig.store.actions.get(rig.communityId, triggered[0]?.actionId ?? 0)
      assert.equal(trigger?.params['user'], robot.id)
      assert.equal(trigger?.initiatorId, null)

      await rig.fake.as(newbie).clickButton(rig.channel, voteTs, voteActionId, 'yes')
      await rig.fake.idle()
      const member = await rig.store.members.findByAccount(rig.communityId, 'slack', newbie.id)
      assert.ok(member, 'a person who joined since the install becomes a member')
      const votes = await rig.store.votes.list(rig.communityId, proposalId)
      assert.deepEqual(
        votes.map((v) => v.memberId),
        [member.id],
      )
    })

    it('a bot’s message starts nothing as its initiator; an unknown user id is nobody, not an error', async () => {
      const robot = newcomer(rig, 'robot', { isBot: true })
      await rig.policy({ kind: 'trigger', actionTypes: ['slack.message'], blocks: { check: 'return PASSED' } })
      const ts = `${Math.floor(rig.clock.now() / 1000)}.000100`
      const message = { type: 'message', channel: rig.channel.id, channel_type: 'channel', text: 'beep', ts }
      assert.equal(await deliver(rig, { ...message, user: robot.id }, 'EvROBOT1'), 200)
      assert.equal(await deliver(rig, { ...message, user: 'U0NOBODY' }, 'EvNOBODY1'), 200)
      const governed = (await rig.actions()).filter((a) => a.type === 'slack.postMessage')
      assert.deepEqual(
        governed.map((a) => a.initiatorId),
        [null, null],
      )
      assert.equal(await rig.store.members.findByAccount(rig.communityId, 'slack', robot.id), undefined)
      assert.equal(await rig.store.members.findByAccount(rig.communityId, 'slack', 'U0NOBODY'), undefined)
    })

    it('governs files shared, thread replies sent to the channel and /me messages as slack.postMessage; edits are not governed', async () => {
      await grant(rig, rig.ada, ['vote'])
      const root = await rig.fake.as(rig.bob).postMessage(rig.channel, 'a thread')
      const base = { type: 'message', channel: rig.channel.id, channel_type: 'channel', user: rig.ada.id }
      const permalink = 'https://fake.slack.com/files/U1/F0PHOTO/photo.png'
      const seconds = Math.floor(rig.clock.now() / 1000)
      await deliver(
        rig,
        {
          ...base,
          subtype: 'file_share',
          text: 'a photo',
          ts: `${seconds}.000201`,
          files: [{ id: 'F0PHOTO', name: 'photo.png', permalink }],
          upload: false,
        },
        'EvFILE1',
      )
      await deliver(
        rig,
        { ...base, subtype: 'thread_broadcast', text: 'for all', ts: `${seconds}.000202`, thread_ts: root.message.ts },
        'EvBROADCAST1',
      )
      await deliver(rig, { ...base, subtype: 'me_message', text: 'waves', ts: `${seconds}.000203` }, 'EvME1')
      await deliver(
        rig,
        {
          type: 'message',
          subtype: 'message_changed',
          hidden: true,
          channel: rig.channel.id,
          channel_type: 'channel',
          ts: `${seconds}.000204`,
          message: { type: 'message', user: rig.ada.id, text: 'edited', ts: root.message.ts },
          previous_message: { type: 'message', user: rig.ada.id, text: 'before', ts: root.message.ts },
        },
        'EvEDIT1',
      )
      const governed = (await rig.actions()).filter((a) => a.origin === 'platform' && a.initiatorId !== null).reverse()
      const ada = await rig.store.members.findByAccount(rig.communityId, 'slack', rig.ada.id)
      assert.deepEqual(
        governed.filter((a) => a.initiatorId === ada?.id).map((a) => [a.type, a.params, a.executionState]),
        [
          ['slack.postMessage', { channel: rig.channel.id, text: 'a photo', files: [permalink] }, 'reverted'],
          [
            'slack.postMessage',
            { channel: rig.channel.id, text: 'for all', threadTs: root.message.ts, broadcast: true },
            'reverted',
          ],
          ['slack.postMessage', { channel: rig.channel.id, text: 'waves' }, 'reverted'],
        ],
        'Ada may not post, so each is undone; her edit makes no action',
      )
      assert.deepEqual(
        rig.fake.callsTo('chat.delete').map((c) => c.args['ts']),
        [`${seconds}.000201`, `${seconds}.000202`, `${seconds}.000203`],
      )

      // Carried out by PolicyKit, a file share is its text and the files' links.
      const bob = await grant(rig, rig.bob, ['execute:*'])
      const done = await rig.engine.propose({
        communityId: rig.communityId,
        type: 'slack.postMessage',
        params: { channel: rig.channel.id, text: 'a photo', files: [permalink] },
        initiatorId: bob.id,
        origin: 'policykit',
      })
      assert.equal(done.status, 'executed')
      assert.ok(rig.channel.messages.some((m) => m.text === `a photo\n${permalink}` && !m.deleted))
    })

    it('a receipt left “handling” by a crash is taken over by Slack’s retry after 30 s; a fresh one is not', async () => {
      const message = (text: string, n: number) => ({
        type: 'message',
        channel: rig.channel.id,
        channel_type: 'channel',
        user: rig.ada.id,
        text,
        ts: `${Math.floor(rig.clock.now() / 1000)}.00030${n}`,
      })
      // Another delivery is handling it right now: 200, nothing done twice.
      assert.equal(await claimEvent(rig.store, rig.communityId, 'EvBUSY1', rig.clock.now()), 'claimed')
      assert.equal(await deliver(rig, message('in flight', 1), 'EvBUSY1'), 200)
      assert.deepEqual(await rig.actions(), [])

      // The process died mid-handling: the retry after a minute runs it.
      await rig.clock.advance(staleHandlingMs + 30_000)
      assert.equal(await deliver(rig, message('in flight', 1), 'EvBUSY1'), 200)
      assert.deepEqual(
        (await rig.actions()).map((a) => a.params['text']),
        ['in flight'],
      )
      // Done now: a further retry does nothing.
      assert.equal(await claimEvent(rig.store, rig.communityId, 'EvBUSY1', rig.clock.now()), 'done')
      assert.equal(await deliver(rig, message('in flight', 1), 'EvBUSY1'), 200)
      assert.equal((await rig.actions()).length, 1)

      assert.equal(await claimEvent(rig.store, rig.communityId, 'EvOTHER1', rig.clock.now()), 'claimed')
      await finishEvent(rig.store, rig.communityId, 'EvOTHER1')
      assert.equal(await claimEvent(rig.store, rig.communityId, 'EvOTHER1', rig.clock.now()), 'done')
    })

    it('PolicyKit’s own deletions, kicks, unpins and renames trigger nothing and are blamed on nobody', async () => {
      await rig.policy({
        kind: 'trigger',
        actionTypes: ['slack.message', 'slack.channel_rename', 'slack.member_left_channel', 'slack.pin_removed'],
        blocks: { check: 'return PASSED' },
      })
      const boss = await grant(rig, rig.bob, ['execute:*'])
      await grant(rig, rig.ada, ['vote'])
      const pinned = await rig.fake.as(rig.bob).postMessage(rig.channel, 'pin me')
      await rig.fake.as(rig.ada).pinMessage(rig.channel, pinned.message.ts) // undone: unpinned by PolicyKit
      await rig.fake.as(rig.ada).postMessage(rig.channel, 'not allowed') // undone: deleted by PolicyKit
      const carol = newcomer(rig, 'carol')
      for (const [type, params] of [
        ['slack.renameConversation', { channel: rig.channel.id, name: 'orchard' }],
        ['slack.kickConversation', { channel: rig.channel.id, user: carol.id }],
      ] as const) {
        const outcome = await rig.engine.propose({
          communityId: rig.communityId,
          type,
          params,
          initiatorId: boss.id,
          origin: 'policykit',
        })
        assert.equal(outcome.status, 'executed')
      }
      await rig.fake.idle()
      const delivered = rig.fake.deliveries.filter((d) => d.status === 200).map((d) => d.eventType)
      for (const type of ['pin_removed', 'member_left_channel', 'channel_rename']) {
        assert.ok(delivered.includes(type), `${type} was delivered: ${delivered.join()}`)
      }
      const triggers = (await rig.actions()).filter((a) => a.kind === 'trigger')
      assert.deepEqual(
        triggers.map((a) => [a.type, a.params['subtype'] ?? null, a.params['user'] ?? null]),
        [
          ['slack.message', null, rig.ada.id],
          ['slack.message', null, rig.bob.id],
        ],
        'only the members’ own messages',
      )
      const left = await sql<{ n: number }>`select count(*) as n from platform_echoes`.execute(rig.store.db)
      assert.equal(Number(left.rows[0]?.n), 0, 'every expected echo came and was used up')

      // A member's rename afterwards is theirs again.
      await rig.fake.as(rig.bob).renameChannel(rig.channel, 'meadow')
      const renames = (await rig.actions()).filter((a) => a.type === 'slack.channel_rename')
      assert.equal(renames.length, 1)
    })

    it('counts a click once: the same signed request replayed changes nothing', async () => {
      await rig.policy(voteOnMessages)
      const { proposalId, voteTs } = await openVote(rig)
      await rig.fake.as(rig.bob).clickButton(rig.channel, voteTs, voteActionId, 'yes')
      const yes = rig.fake.deliveries.findLast((d) => d.kind === 'interactivity')
      assert.ok(yes?.url)
      await rig.fake.as(rig.bob).clickButton(rig.channel, voteTs, voteActionId, 'no')
      await rig.fake.idle()
      await rig.clock.advance(60_000)
      const replay = await fetch(yes.url, { method: 'POST', headers: yes.headers, body: yes.requestBody })
      assert.equal(replay.status, 200)
      await rig.fake.idle()
      const votes = await rig.store.votes.list(rig.communityId, proposalId)
      assert.deepEqual(
        votes.map((v) => [v.kind, v.value]),
        [['boolean', false]],
      )
    })

    it('closes the vote message when the proposal is decided by time (the sweep): the outcome, no buttons', async () => {
      await rig.policy(voteOnMessages)
      const { proposalId, voteTs } = await openVote(rig)
      await rig.fake.as(rig.bob).clickButton(rig.channel, voteTs, voteActionId, 'yes')
      await rig.fake.idle()
      await rig.clock.advance(120_000)
      await rig.engine.sweep()
      await rig.fake.idle()
      assert.equal((await rig.store.proposals.get(rig.communityId, proposalId))?.status, 'failed')
      const blocks = JSON.stringify(rig.fake.workspace.message(rig.channel, voteTs)?.blocks)
      assert.match(blocks, /Voting closed: failed\. 1 vote \(Yes: 1 · No: 0\)/)
      assert.doesNotMatch(blocks, /"accessory"/)
    })
  })
}
