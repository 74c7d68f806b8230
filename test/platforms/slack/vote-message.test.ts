import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import type { JsonObject } from '../../../src/domain/json.ts'
import type { Proposal } from '../../../src/domain/proposal.ts'
import { slackClient } from '../../../src/platforms/slack/client.ts'
import {
  parseVotePostId,
  refreshVoteMessage,
  voteActionId,
  voteBlocks,
  voteFromButton,
  voteFromReaction,
  votePostId,
  voteTally,
} from '../../../src/platforms/slack/voting/vote-message.ts'
import { startPlatformRig, type PlatformRig } from './platform-rig.ts'

function botToken(credentials: JsonObject): string {
  const token = credentials['botToken']
  assert.ok(typeof token === 'string')
  return token
}

/** A vote button, as it appears in the blocks' JSON. */
const buttonPattern = new RegExp(`"action_id":"${voteActionId}"`)

describe('vote message: ids and votes', () => {
  it('a vote post id is the channel and ts, and parses back', () => {
    const id = votePostId('C0123ABC', '1767225600.000100')
    assert.equal(id, 'C0123ABC:1767225600.000100')
    assert.deepEqual(parseVotePostId(id), { channel: 'C0123ABC', ts: '1767225600.000100' })
    assert.equal(parseVotePostId('proposal:12'), null)
    assert.equal(parseVotePostId('C0123ABC:'), null)
  })

  it('buttons: yes/no for a yes/no vote, the option’s index otherwise', () => {
    assert.deepEqual(voteFromButton('yes', null), { kind: 'boolean', value: true })
    assert.deepEqual(voteFromButton('no', null), { kind: 'boolean', value: false })
    assert.equal(voteFromButton('0', null), null)
    const options = ['roses', 'tulips']
    assert.deepEqual(voteFromButton('1', options), { kind: 'choice', value: 'tulips' })
    assert.equal(voteFromButton('2', options), null)
    assert.equal(voteFromButton('yes', options), null)
    assert.equal(voteFromButton('-1', options), null)
  })

  it('reactions: 👍/👎 (with any skin tone) for yes/no, numbers for the options in order', () => {
    assert.deepEqual(voteFromReaction('+1', null), { kind: 'boolean', value: true })
    assert.deepEqual(voteFromReaction('thumbsup', null), { kind: 'boolean', value: true })
    assert.deepEqual(voteFromReaction('+1::skin-tone-4', null), { kind: 'boolean', value: true })
    assert.deepEqual(voteFromReaction('-1', null), { kind: 'boolean', value: false })
    assert.equal(voteFromReaction('heart', null), null)
    assert.equal(voteFromReaction('one', null), null)
    const options = Array.from({ length: 10 }, (_, i) => `option ${i + 1}`)
    assert.deepEqual(voteFromReaction('one', options), { kind: 'choice', value: 'option 1' })
    assert.deepEqual(voteFromReaction(':three:', options), { kind: 'choice', value: 'option 3' })
    assert.deepEqual(voteFromReaction('keycap_ten', options), { kind: 'choice', value: 'option 10' })
    assert.equal(voteFromReaction('three', ['a', 'b']), null)
    assert.equal(voteFromReaction('+1', options), null)
  })

  it('a decided vote keeps its tally and loses its buttons', () => {
    const tally = {
      choices: [
        { label: 'Yes', count: 2 },
        { label: 'No', count: 1 },
      ],
      total: 3,
    }
    const open = voteBlocks({ text: 'ok?', options: null, tally, status: 'proposed' })
    const closed = voteBlocks({ text: 'ok?', options: null, tally, status: 'passed' })
    assert.match(JSON.stringify(open), buttonPattern)
    assert.doesNotMatch(JSON.stringify(closed), buttonPattern)
    assert.match(JSON.stringify(closed.at(-1)), /Voting closed: passed\. 3 votes \(Yes: 2 · No: 1\)/)
  })

  it('escapes option labels, which are data, and keeps button labels within Slack’s 75 characters', () => {
    const long = 'x'.repeat(120)
    const tally = {
      choices: [
        { label: '<b>&', count: 0 },
        { label: long, count: 0 },
      ],
      total: 0,
    }
    const blocks = voteBlocks({ text: 'Pick', options: ['<b>&', long], tally, status: 'proposed' })
    assert.match(JSON.stringify(blocks[1]), /:one: &lt;b&gt;&amp;/)
    const button = blocks[2]?.type === 'section' ? blocks[2].accessory : undefined
    assert.equal(button?.text.text.length, 75)
  })
})

describe('vote message against the fake Slack', () => {
  let rig: PlatformRig

  beforeEach(async () => {
    rig = await startPlatformRig()
  })
  afterEach(async () => {
    await rig.close()
  })

  async function proposalNow(id: number): Promise<Proposal> {
    const proposal = await rig.store.proposals.get(rig.communityId, id)
    assert.ok(proposal)
    return proposal
  }

  it('voteTally counts the votes cast; refreshVoteMessage rewrites the message with it', async () => {
    const governed = await rig.proposal()
    await rig.call('initiateVote', governed, { text: 'Which bed?', options: ['roses', 'tulips'] })
    const [ada, bob, carol] = [await rig.member(rig.ada), await rig.member(rig.bob), await rig.member(rig.carol)]
    const cast = (memberId: number, value: string) =>
      rig.store.votes.cast(rig.communityId, {
        proposalId: governed.proposal.id,
        memberId,
        vote: { kind: 'choice', value },
        now: rig.clock.now(),
      })
    await cast(ada.id, 'tulips')
    await cast(bob.id, 'tulips')
    await cast(carol.id, 'roses')

    const proposal = await proposalNow(governed.proposal.id)
    const tally = await voteTally(rig.ports.votes, rig.communityId, proposal)
    assert.deepEqual(tally, {
      choices: [
        { label: 'roses', count: 1 },
        { label: 'tulips', count: 2 },
      ],
      total: 3,
    })

    const credentials = await rig.context()
    const bot = slackClient(botToken(credentials.credentials), { apiUrl: rig.fake.apiUrl })
    await refreshVoteMessage(bot, proposal, tally)
    const message = rig.channel.messages.at(-1)
    assert.equal(`${rig.channel.id}:${String(message?.ts)}`, proposal.votePostId)
    assert.match(JSON.stringify(message?.blocks), /3 votes so far \(roses: 1 · tulips: 2\)/)
    assert.match(JSON.stringify(message?.blocks), buttonPattern)
    assert.equal(message?.text, 'Which bed?')
  })

  it('counts yes/no votes, and shows a decided vote closed', async () => {
    const governed = await rig.proposal()
    await rig.call('initiateVote', governed, { text: 'Allow?' })
    const ada = await rig.member(rig.ada)
    await rig.store.votes.cast(rig.communityId, {
      proposalId: governed.proposal.id,
      memberId: ada.id,
      vote: { kind: 'boolean', value: false },
      now: rig.clock.now(),
    })
    await rig.store.proposals.decide(rig.communityId, governed.proposal.id, 'failed', rig.clock.now())
    const proposal = await proposalNow(governed.proposal.id)
    const tally = await voteTally(rig.ports.votes, rig.communityId, proposal)
    assert.deepEqual(
      tally.choices.map((c) => c.count),
      [0, 1],
    )
    const credentials = await rig.context()
    await refreshVoteMessage(
      slackClient(botToken(credentials.credentials), { apiUrl: rig.fake.apiUrl }),
      proposal,
      tally,
    )
    const blocks = JSON.stringify(rig.channel.messages.at(-1)?.blocks)
    assert.doesNotMatch(blocks, buttonPattern)
    assert.match(blocks, /Voting closed: failed\. 1 vote \(Yes: 0 · No: 1\)/)
  })

  it('onVoteClosed rewrites a decided proposal’s vote message: final tally, outcome, no buttons', async () => {
    const governed = await rig.proposal()
    await rig.call('initiateVote', governed, { text: 'Allow?' })
    const ada = await rig.member(rig.ada)
    await rig.store.votes.cast(rig.communityId, {
      proposalId: governed.proposal.id,
      memberId: ada.id,
      vote: { kind: 'boolean', value: true },
      now: rig.clock.now(),
    })
    const { platform } = rig
    assert.equal(typeof platform.voting?.close, 'function')
    // Still open: nothing to close.
    await platform.voting?.close(await rig.context(), await proposalNow(governed.proposal.id))
    assert.equal(rig.fake.callsTo('chat.update').length, 0)

    await rig.store.proposals.decide(rig.communityId, governed.proposal.id, 'passed', rig.clock.now())
    await platform.voting?.close(await rig.context(), await proposalNow(governed.proposal.id))
    const blocks = JSON.stringify(rig.channel.messages.at(-1)?.blocks)
    assert.doesNotMatch(blocks, buttonPattern)
    assert.match(blocks, /Voting closed: passed\. 1 vote \(Yes: 1 · No: 0\)/)
  })

  it('leaves a proposal whose vote Slack does not host alone', async () => {
    const governed = await rig.proposal()
    const client = slackClient('xoxb-unused', { apiUrl: rig.fake.apiUrl })
    await refreshVoteMessage(client, governed.proposal, { choices: [], total: 0 })
    assert.equal(rig.fake.callsTo('chat.update').length, 0)
  })
})
