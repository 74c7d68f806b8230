import assert from 'node:assert/strict'
import { performance } from 'node:perf_hooks'
import { afterEach, beforeEach, describe, it } from 'node:test'
import type { Action } from '../../../src/domain/action.ts'
import type { Proposal } from '../../../src/domain/proposal.ts'
import { voteActionId } from '../../../src/platforms/slack/voting/vote-message.ts'
import type { ProposeResultJson } from '../../../src/server/presenters.ts'
import type { FakeChannel, FakeMessage, FakeUser } from '../../fakes/slack/fake-slack.ts'
import { startSlackApp, type SlackTestApp } from '../../support/slack-app.ts'
import { slackVotePolicy } from '../../support/slack-vote-policy.ts'
import { until } from '../../support/until.ts'

/**
 * Slack end to end: the real app (scheduler, job queue, server listening) against the fake
 * Slack, connected through the OAuth install, with a vote policy on messages in #decisions that
 * the community adds through its constitution. Members act in Slack; what the tests check is what
 * Slack shows afterwards, and what PolicyKit recorded.
 */

interface World {
  t: SlackTestApp
  channel: FakeChannel
  bob: FakeUser
  carol: FakeUser
  dave: FakeUser
  erin: FakeUser
}

async function propose(t: SlackTestApp, type: string, params: Record<string, unknown>): Promise<ProposeResultJson> {
  const res = await t.admin.post<ProposeResultJson>(`/api/communities/${t.communityId}/actions`, { type, params })
  assert.equal(res.status, 201, res.text)
  assert.ok(['passed', 'executed'].includes(res.json.status), `${type}: ${res.json.status}`)
  return res.json
}

async function startWorld(): Promise<World> {
  const t = await startSlackApp({ slackUsers: ['bob', 'carol', 'dave', 'erin'] })
  try {
    await t.installSlack()
    const [bob, carol, dave, erin] = t.slackUsers
    assert.ok(bob && carol && dave && erin)
    const channel = t.fake.addChannel({ name: 'decisions', members: [t.slackAdmin, bob, carol, dave, erin] })
    await propose(t, 'constitution.addPolicy', slackVotePolicy(channel))
    return { t, channel, bob, carol, dave, erin }
  } catch (e) {
    await t.close()
    throw e
  }
}

/** Waits until the app and the fake Slack are both quiet (deliveries, echoes, queued jobs). */
const settle = (w: World) => w.t.clock.settle()

const shown = (w: World, text: string): FakeMessage[] =>
  w.channel.messages.filter((m) => m.text === text && !m.deleted && m.subtype === undefined)

async function actionsOf(w: World, type: string): Promise<Action[]> {
  return (await w.t.app.store.actions.list(w.t.communityId)).filter((a) => a.type === type)
}

/** The governed message's proposal and the ts of its vote message in #decisions. */
async function voteOn(w: World, text: string): Promise<{ proposal: Proposal; voteTs: string }> {
  const { store } = w.t.app
  const action = (await actionsOf(w, 'slack.postMessage')).find((a) => a.params['text'] === text)
  assert.ok(action, `no action for "${text}"`)
  const [proposal] = await store.proposals.list(w.t.communityId, { actionId: action.id })
  assert.ok(proposal?.votePostId, 'the policy posted a vote')
  const [channel, voteTs] = proposal.votePostId.split(':')
  assert.equal(channel, w.channel.id)
  assert.ok(voteTs)
  return { proposal, voteTs }
}

async function statusOf(w: World, proposalId: number): Promise<string | undefined> {
  return (await w.t.app.store.proposals.get(w.t.communityId, proposalId))?.status
}

describe('Slack end to end: the real app against the fake Slack', () => {
  let w: World

  beforeEach(async () => {
    w = await startWorld()
  })
  afterEach(async () => {
    await w.t.close()
  })

  it('holds a message for a vote and re-posts it within a second of the deciding vote', async (ctx) => {
    const text = 'Let us plant tomatoes along the south fence'
    const { message } = await w.t.fake.as(w.bob).postMessage(w.channel, text)
    await settle(w)
    assert.equal(w.t.fake.workspace.message(w.channel, message.ts), undefined, 'deleted while the vote runs')
    const { proposal, voteTs } = await voteOn(w, text)
    const vote = w.t.fake.workspace.message(w.channel, voteTs)
    assert.equal(vote?.user, w.t.fake.bot.id)
    assert.match(vote?.text ?? '', /Keep this message\?/)

    await w.t.fake.as(w.carol).clickButton(w.channel, voteTs, voteActionId, 'yes')
    await w.t.fake.as(w.dave).clickButton(w.channel, voteTs, voteActionId, 'no')
    await w.t.fake.as(w.dave).clickButton(w.channel, voteTs, voteActionId, 'yes') // moves Dave's vote
    await settle(w)
    assert.equal(await statusOf(w, proposal.id), 'proposed')
    assert.match(
      JSON.stringify(w.t.fake.workspace.message(w.channel, voteTs)?.blocks),
      /2 votes so far \(Yes: 2 · No: 0\)/,
    )

    const updatesBefore = w.t.fake.callsTo('chat.update').length
    const deciding = performance.now()
    const [delivery] = await w.t.fake.as(w.erin).react(w.channel, voteTs, '+1')
    assert.equal(delivery?.status, 200)
    assert.ok(await until(() => shown(w, text).length === 1, 5_000), 'the message came back')
    const elapsed = performance.now() - deciding
    ctx.diagnostic(`re-posted ${elapsed.toFixed(1)} ms after the deciding vote was delivered`)
    assert.ok(elapsed < 1_000, `re-posted ${Math.round(elapsed)} ms after the deciding vote`)

    await settle(w)
    assert.equal(await statusOf(w, proposal.id), 'passed')
    assert.match(JSON.stringify(w.t.fake.workspace.message(w.channel, voteTs)?.blocks), /Voting closed: passed/)
    assert.equal(
      w.t.fake.callsTo('chat.update').length - updatesBefore,
      1,
      'the deciding vote rewrote the vote message once (closed), not also with its tally',
    )
    const [reposted] = shown(w, text)
    assert.notEqual(reposted?.ts, message.ts)
    assert.match(String(reposted?.username), /^bob$|^Bob Slack$/, 'shown under the name of its author')
    assert.equal((await actionsOf(w, 'slack.postMessage')).length, 1, 'the re-post is not a new action')
    const [action] = await actionsOf(w, 'slack.postMessage')
    assert.equal(action?.executionState, 'executed')
  })

  it('leaves a voted-down message deleted and tells its author privately', async () => {
    const text = 'Pave the herb garden'
    const { message } = await w.t.fake.as(w.bob).postMessage(w.channel, text)
    await settle(w)
    const { proposal, voteTs } = await voteOn(w, text)
    await w.t.fake.as(w.carol).clickButton(w.channel, voteTs, voteActionId, 'no')
    await w.t.fake.as(w.dave).react(w.channel, voteTs, '-1')
    await settle(w)

    assert.equal(await statusOf(w, proposal.id), 'failed')
    assert.equal(w.t.fake.workspace.message(w.channel, message.ts), undefined)
    assert.deepEqual(shown(w, text), [])
    const notices = w.t.fake.workspace.ephemerals.filter((e) => e.user === w.bob.id)
    assert.deepEqual(
      notices.map((e) => [e.channel, e.text]),
      [[w.channel.id, 'Your message was voted down, so it stays removed.']],
    )
    assert.match(JSON.stringify(w.t.fake.workspace.message(w.channel, voteTs)?.blocks), /Voting closed: failed/)
  })

  it('reverts at once a rename by a member who may not rename, and tells them why', async () => {
    const { store } = w.t.app
    await propose(w.t, 'constitution.addRole', {
      name: 'Newcomer',
      permissions: ['propose:slack.postMessage', 'vote'],
    })
    const role = await store.roles.getByName(w.t.communityId, 'Newcomer')
    const carol = await store.members.findByAccount(w.t.communityId, 'slack', w.carol.id)
    assert.ok(role && carol, 'the install imported Carol')
    await propose(w.t, 'constitution.assignRole', { roleId: role.id, memberId: carol.id })

    const [delivery] = await w.t.fake.as(w.carol).renameChannel(w.channel, 'carols-corner')
    assert.equal(delivery?.status, 200)
    await settle(w)

    assert.equal(w.channel.name, 'decisions')
    const renames = await actionsOf(w, 'slack.renameConversation')
    assert.equal(renames.length, 1, 'PolicyKit’s own rename back is not governed again')
    assert.equal(renames[0]?.initiatorId, carol.id)
    assert.equal(renames[0]?.executionState, 'reverted')
    const notice = w.t.fake.workspace.ephemerals.find((e) => e.user === w.carol.id)
    assert.match(notice?.text ?? '', /PolicyKit undid your renaming of #decisions to #carols-corner/)
    assert.deepEqual(
      w.t.fake.callsTo('conversations.rename').map((c) => c.args['name']),
      ['decisions'],
    )
  })

  it('changes nothing for a forged or stale event, or a forged vote', async () => {
    w.t.fake.tamperNext({ signature: 'bad' })
    const forged = await w.t.fake.as(w.bob).postMessage(w.channel, 'forged')
    w.t.fake.tamperNext({ stale: true })
    const stale = await w.t.fake.as(w.bob).postMessage(w.channel, 'replayed')
    await settle(w)
    assert.deepEqual(
      [...forged.deliveries, ...stale.deliveries].map((d) => d.status),
      [401, 401],
    )
    assert.deepEqual(await actionsOf(w, 'slack.postMessage'), [])
    assert.equal(shown(w, 'forged').length + shown(w, 'replayed').length, 2, 'both still there, ungoverned')

    await w.t.fake.as(w.bob).postMessage(w.channel, 'a real one')
    await settle(w)
    const { proposal, voteTs } = await voteOn(w, 'a real one')
    w.t.fake.tamperNext({ signature: 'bad' })
    const click = await w.t.fake.as(w.carol).clickButton(w.channel, voteTs, voteActionId, 'yes')
    assert.equal(click.status, 401)
    assert.equal(await w.t.app.store.votes.count(w.t.communityId, proposal.id), 0)
  })

  it('makes one action of an event Slack delivers again', async () => {
    const text = 'Only once, please'
    const { deliveries } = await w.t.fake.as(w.bob).postMessage(w.channel, text)
    await settle(w)
    for (const retryNum of [1, 2]) {
      const retried = await w.t.fake.redeliverLast(retryNum)
      assert.equal(retried.status, 200)
    }
    await settle(w)
    const actions = await actionsOf(w, 'slack.postMessage')
    assert.deepEqual(
      actions.map((a) => a.externalId),
      [deliveries[0]?.eventId],
    )
    const votes = w.channel.messages.filter((m) => m.user === w.t.fake.bot.id && /Keep this message/.test(m.text))
    assert.equal(votes.length, 1, 'one vote posted')
  })

  it('delays but does not lose an execution when Slack answers 429, then 500', async () => {
    const text = 'Build a rain barrel'
    await w.t.fake.as(w.bob).postMessage(w.channel, text)
    await settle(w)
    const { proposal, voteTs } = await voteOn(w, text)
    await w.t.fake.as(w.carol).clickButton(w.channel, voteTs, voteActionId, 'yes')
    await w.t.fake.as(w.dave).clickButton(w.channel, voteTs, voteActionId, 'yes')
    await settle(w)

    // The re-post: rate limited (Retry-After: 1 s), then, on the queue's first retry, a server
    // error through all of the client's quick retries; the queue then waits its backoff on the
    // app's clock.
    w.t.fake.failNext('chat.postMessage', { status: 429, retryAfterSeconds: 1 })
    w.t.fake.failNext('chat.postMessage', { status: 500 }, 3)
    await w.t.fake.as(w.erin).clickButton(w.channel, voteTs, voteActionId, 'yes')
    await settle(w)
    assert.equal(await statusOf(w, proposal.id), 'passed')
    assert.deepEqual(shown(w, text), [], 'not re-posted yet')
    const attempts = () =>
      w.t.fake
        .callsTo('chat.postMessage')
        .filter((c) => c.args['text'] === text)
        .map((c) => c.status)
    assert.deepEqual(attempts(), [429])

    await w.t.clock.advance(900)
    await settle(w)
    assert.deepEqual(attempts(), [429], 'Slack asked for a second: nothing is sent before it is up')
    await w.t.clock.advance(200)
    await settle(w)
    assert.deepEqual(attempts(), [429, 500, 500, 500])
    assert.deepEqual(shown(w, text), [], 'still not re-posted')

    await w.t.clock.advance(60_000)
    assert.equal(shown(w, text).length, 1, 're-posted once Slack answers')
    const [action] = await actionsOf(w, 'slack.postMessage')
    assert.equal(action?.executionState, 'executed')
    assert.equal(
      w.t.fake.callsTo('chat.postMessage').filter((c) => c.args['text'] === text && c.status === 200).length,
      1,
    )
  })
})
