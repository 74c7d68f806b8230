import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import type { JsonValue } from '../../../src/domain/json.ts'
import { emptyBlocks } from '../../../src/domain/policy.ts'
import { createEngine } from '../../../src/engine/engine.ts'
import { isAppError } from '../../../src/errors.ts'
import { echoKey } from '../../../src/platforms/slack/echoes.ts'
import { voteActionId } from '../../../src/platforms/slack/voting/vote-message.ts'
import { createQuickJsSandbox } from '../../../src/sandbox/quickjs-sandbox.ts'
import type { FakeChannel, FakeUser } from '../../fakes/slack/fake-slack.ts'
import { startPlatformRig, type PlatformRig } from './platform-rig.ts'

type Governed = Awaited<ReturnType<PlatformRig['proposal']>>

const rejects = (code: string, pattern?: RegExp) => (e: unknown) => {
  assert.ok(isAppError(e), `expected an AppError, got ${String(e)}`)
  assert.equal(e.code, code, e.message)
  if (pattern) {
    assert.match(e.message, pattern)
  }
  return true
}

function record(value: JsonValue | undefined): Record<string, JsonValue> {
  assert.ok(
    value !== null && typeof value === 'object' && !Array.isArray(value),
    `expected an object: ${JSON.stringify(value)}`,
  )
  return value
}

function text(value: JsonValue | undefined): string {
  assert.ok(typeof value === 'string', `expected a string: ${JSON.stringify(value)}`)
  return value
}

function list(value: JsonValue | undefined): JsonValue[] {
  assert.ok(Array.isArray(value), `expected a list: ${JSON.stringify(value)}`)
  return value
}

/** The direct conversation (IM or group DM) whose members are exactly the bot and `users`. */
function directConversation(rig: PlatformRig, users: FakeUser[]): FakeChannel | undefined {
  const wanted = [rig.fake.bot.id, ...users.map((u) => u.id)].sort().join()
  return rig.fake.workspace.channels.find((c) => c.kind !== 'channel' && [...c.members].sort().join() === wanted)
}

describe('Slack policy functions against the fake Slack', () => {
  let rig: PlatformRig
  let governed: Governed

  beforeEach(async () => {
    rig = await startPlatformRig()
    for (const user of [rig.admin, rig.ada, rig.bob, rig.carol]) {
      await rig.member(user)
    }
    governed = await rig.proposal()
  })
  afterEach(async () => {
    await rig.close()
  })

  describe('postMessage', () => {
    it('posts in the governed action’s channel by default, as the bot', async () => {
      const posted = record(await rig.call('postMessage', governed, { text: 'a vote is open' }))
      assert.equal(posted['channel'], rig.channel.id)
      const message = rig.fake.workspace.message(rig.channel, text(posted['ts']))
      assert.equal(message?.text, 'a vote is open')
      assert.equal(message?.botId, rig.fake.bot.botId)
    })

    it('takes the text alone, another channel, and a thread', async () => {
      const { message: root } = await rig.fake.as(rig.ada).postMessage(rig.fake.general, 'question')
      await rig.call('postMessage', governed, 'plain text')
      const reply = record(
        await rig.call('postMessage', governed, { text: 'answer', channel: rig.fake.general.id, threadTs: root.ts }),
      )
      assert.equal(rig.channel.messages.at(-1)?.text, 'plain text')
      assert.equal(rig.fake.workspace.message(rig.fake.general, text(reply['ts']))?.threadTs, root.ts)
    })

    it('im: one direct message per user, users named by member id, username, member object or Slack id', async () => {
      const ada = await rig.member(rig.ada)
      const posts = list(
        await rig.call('postMessage', governed, {
          text: 'psst',
          postType: 'im',
          users: [ada.id, 'bob', { username: 'carol' }, rig.admin.id],
        }),
      )
      assert.equal(posts.length, 4)
      for (const user of [rig.ada, rig.bob, rig.carol, rig.admin]) {
        const im = directConversation(rig, [user])
        assert.equal(im?.kind, 'im', `a DM with ${user.name}`)
        assert.equal(im?.messages.at(-1)?.text, 'psst')
      }
      assert.equal(rig.fake.callsTo('conversations.open').length, 4)
    })

    it('mpim: one group DM with all the users', async () => {
      const posted = record(
        await rig.call('postMessage', governed, { text: 'you two', postType: 'mpim', users: ['ada', 'bob'] }),
      )
      const mpim = directConversation(rig, [rig.ada, rig.bob])
      assert.equal(mpim?.kind, 'mpim')
      assert.equal(posted['channel'], mpim?.id)
      assert.equal(mpim?.messages.at(-1)?.text, 'you two')
    })

    it('ephemeral: shown in the channel to each user only', async () => {
      const posts = list(
        await rig.call('postMessage', governed, { text: 'only you', postType: 'ephemeral', users: ['ada', 'bob'] }),
      )
      assert.equal(posts.length, 2)
      const seen = rig.fake.workspace.ephemerals.map((e) => [e.channel, e.user, e.text])
      assert.deepEqual(seen, [
        [rig.channel.id, rig.ada.id, 'only you'],
        [rig.channel.id, rig.bob.id, 'only you'],
      ])
      assert.equal(rig.channel.messages.length, 0, 'nothing in the channel’s history')
    })

    it('refuses what it cannot deliver with a message for the policy author', async () => {
      await assert.rejects(
        rig.call('postMessage', governed, { text: 'x', postType: 'ephemeral' }),
        rejects('invalid_input', /needs users/),
      )
      await assert.rejects(
        rig.call('postMessage', governed, { text: 'x', postType: 'im', users: ['nobody'] }),
        rejects('invalid_input', /no member named nobody/),
      )
      const local = await rig.store.members.create(rig.communityId, { username: 'offline', now: rig.clock.now() })
      await assert.rejects(
        rig.call('postMessage', governed, { text: 'x', postType: 'im', users: [local.id] }),
        rejects('invalid_input', /offline has no Slack account/),
      )
      await assert.rejects(rig.call('postMessage', governed, { text: '' }), rejects('invalid_input', /text/))
      const elsewhere = await rig.proposal({ channel: 'C0NOSUCH', text: 'x' })
      await assert.rejects(
        rig.call('postMessage', elsewhere, { text: 'x' }),
        rejects('platform_rejected', /channel_not_found/),
      )
    })

    it('Slack rate limiting reaches the policy as platform_unavailable', async () => {
      rig.fake.failNext('chat.postMessage', { status: 429, retryAfterSeconds: 10 })
      await assert.rejects(rig.call('postMessage', governed, 'hi'), rejects('platform_unavailable'))
    })
  })

  describe('initiateVote', () => {
    it('posts a yes/no vote in the channel and records it as the proposal’s vote', async () => {
      const postId = await rig.call('initiateVote', governed, { text: 'Let Ada post this?' })
      const message = rig.channel.messages.at(-1)
      assert.ok(message)
      assert.equal(postId, `${rig.channel.id}:${message.ts}`)
      assert.equal(message.botId, rig.fake.bot.botId)
      assert.equal(message.text, 'Let Ada post this?')

      const blocks = (message.blocks ?? []) as Array<Record<string, unknown>>
      assert.deepEqual(blocks[0], {
        type: 'section',
        block_id: 'policykit_vote_text',
        text: { type: 'mrkdwn', text: 'Let Ada post this?' },
      })
      const buttons = blocks.flatMap((b) => (b['accessory'] ? [b['accessory'] as Record<string, unknown>] : []))
      assert.deepEqual(
        buttons.map((b) => [b['action_id'], b['value']]),
        [
          [voteActionId, 'yes'],
          [voteActionId, 'no'],
        ],
      )
      const tally = blocks.at(-1)
      assert.equal(tally?.['type'], 'context')
      assert.match(JSON.stringify(tally), /0 votes so far \(Yes: 0 · No: 0\)/)

      const proposal = await rig.store.proposals.get(rig.communityId, governed.proposal.id)
      assert.equal(proposal?.votePlatform, 'slack')
      assert.equal(proposal?.votePostId, postId)
      assert.match(
        String(proposal?.voteUrl),
        new RegExp(`/archives/${rig.channel.id}/p${message.ts.replace('.', '')}$`),
      )
      assert.equal(proposal?.voteText, 'Let Ada post this?')
      assert.equal(proposal?.voteOptions, null)
      assert.equal(proposal?.eligibleVoters, null)
      const found = await rig.store.proposals.findByVotePost(rig.communityId, 'slack', String(postId))
      assert.equal(found?.id, governed.proposal.id)
    })

    it('a choice among options, for some users only, numbered buttons by index', async () => {
      const ada = await rig.member(rig.ada)
      const bob = await rig.member(rig.bob)
      await rig.call('initiateVote', governed, {
        text: 'Which bed?',
        options: ['roses', 'tulips', 'herbs'],
        users: [ada.id, 'bob'],
        channel: rig.fake.general.id,
      })
      const message = rig.fake.general.messages.at(-1)
      const blocks = (message?.blocks ?? []) as Array<Record<string, unknown>>
      const buttons = blocks.flatMap((b) => (b['accessory'] ? [b['accessory'] as Record<string, unknown>] : []))
      assert.deepEqual(
        buttons.map((b) => [b['action_id'], b['value'], (b['text'] as Record<string, unknown>)['text']]),
        [
          [voteActionId, '0', ':one: roses'],
          [voteActionId, '1', ':two: tulips'],
          [voteActionId, '2', ':three: herbs'],
        ],
      )
      for (const block of blocks) {
        const ids = JSON.stringify(block).split(`"action_id":"${voteActionId}"`).length - 1
        assert.ok(ids <= 1, 'action ids are unique within each block, as Block Kit requires')
      }
      const proposal = await rig.store.proposals.get(rig.communityId, governed.proposal.id)
      assert.deepEqual(proposal?.voteOptions, ['roses', 'tulips', 'herbs'])
      assert.deepEqual(proposal?.eligibleVoters?.sort(), [ada.id, bob.id].sort())
      assert.equal(proposal?.votePostId, `${rig.fake.general.id}:${String(message?.ts)}`)
    })

    it('mpim: the vote goes to a group DM with the voters', async () => {
      const postId = text(await rig.call('initiateVote', governed, { users: ['ada', 'bob'], postType: 'mpim' }))
      const mpim = directConversation(rig, [rig.ada, rig.bob])
      assert.ok(mpim)
      assert.ok(postId.startsWith(`${mpim.id}:`))
      assert.match(
        String(mpim.messages.at(-1)?.text),
        /^Vote on proposal #\d+: Post a message in a Slack conversation$/,
      )
    })

    it('a permalink Slack will not give leaves the vote without a URL, not without a vote', async () => {
      rig.fake.failNext('chat.getPermalink', { error: 'internal_error' })
      const postId = await rig.call('initiateVote', governed, { text: 'ok?' })
      const proposal = await rig.store.proposals.get(rig.communityId, governed.proposal.id)
      assert.equal(proposal?.votePostId, postId)
      assert.equal(proposal?.voteUrl, null)
    })

    it('refuses options it cannot offer', async () => {
      await assert.rejects(
        rig.call('initiateVote', governed, { options: ['a', 'a'] }),
        rejects('invalid_input', /differ/),
      )
      const eleven = Array.from({ length: 11 }, (_, i) => `option ${i}`)
      await assert.rejects(rig.call('initiateVote', governed, { options: eleven }), rejects('invalid_input'))
      await assert.rejects(
        rig.call('initiateVote', governed, { postType: 'im', users: ['ada', 'bob'] }),
        rejects('invalid_input', /one user/),
      )
      assert.equal(rig.fake.callsTo('chat.postMessage').length, 0)
    })
  })

  describe('reading the workspace', () => {
    it('getUsersInChannel: the channel’s members (the bot left out), new Slack users becoming members', async () => {
      const dora = rig.fake.addUser({ name: 'dora' })
      rig.channel.members.push(dora.id)
      const users = list(await rig.call('getUsersInChannel', governed))
      const names = users.map((u) => record(u)['username'])
      assert.deepEqual(names, ['root', 'ada', 'bob', 'dora'])
      const doraMember = await rig.store.members.findByAccount(rig.communityId, 'slack', dora.id)
      assert.deepEqual(users.at(-1), {
        id: doraMember?.id ?? -1,
        username: 'dora',
        displayName: 'dora',
        slackId: dora.id,
      })
      const general = list(await rig.call('getUsersInChannel', governed, rig.fake.general.id))
      assert.equal(general.length, 5)
    })

    it('getConversations: public channels by default, other types on request', async () => {
      rig.fake.addChannel({ name: 'secret', members: [rig.ada], private: true })
      const publicOnes = list(await rig.call('getConversations', governed)).map((c) => record(c)['name'])
      assert.deepEqual(publicOnes.sort(), ['garden', 'general'])
      const all = list(await rig.call('getConversations', governed, ['public_channel', 'private_channel']))
      const secret = all.map(record).find((c) => c['name'] === 'secret')
      assert.deepEqual(secret, {
        id: rig.fake.workspace.findChannel('secret')?.id ?? '',
        name: 'secret',
        type: 'private_channel',
        memberCount: 2,
      })
      await assert.rejects(rig.call('getConversations', governed, 'everything'), rejects('invalid_input'))
    })
  })

  describe('acting on the workspace', () => {
    it('renameConversation, kickConversation and joinConversation act on the governed channel, their echoes recorded', async () => {
      assert.deepEqual(await rig.call('renameConversation', governed, { name: 'veg-patch' }), {
        channel: rig.channel.id,
        previousName: 'garden',
      })
      assert.equal(rig.channel.name, 'veg-patch')
      await assert.rejects(
        rig.call('renameConversation', governed, { name: 'Veg Patch' }),
        rejects('invalid_input', /lower case/),
      )
      assert.equal(await rig.takeEcho(echoKey.rename(rig.channel.id, 'veg-patch')), true)

      await rig.call('kickConversation', governed, { user: 'bob' })
      assert.ok(!rig.channel.members.includes(rig.bob.id))

      await rig.call('joinConversation', governed, { user: 'carol' })
      assert.ok(rig.channel.members.includes(rig.carol.id))
      assert.equal(await rig.takeEcho(echoKey.join(rig.channel.id, rig.carol.id)), true)
    })
  })
})

describe('Slack policy functions: paging', () => {
  it('follows Slack’s cursors through long member lists', async () => {
    const rig = await startPlatformRig({ maxPageSize: 2 })
    try {
      const governed = await rig.proposal()
      const users = list(await rig.call('getUsersInChannel', governed))
      assert.deepEqual(
        users.map((u) => record(u)['username']),
        ['root', 'ada', 'bob'],
      )
      assert.equal(rig.fake.callsTo('conversations.members').length, 2)
    } finally {
      await rig.close()
    }
  })
})

describe('Slack policy functions through the engine and the sandbox', () => {
  it('a notify block opens a vote, reads the channel and posts: plain values cross the sandbox, each call made once', async () => {
    const rig = await startPlatformRig()
    const sandbox = await createQuickJsSandbox({ poolSize: 1 })
    try {
      const engine = createEngine({ store: rig.store, sandbox, platforms: [rig.platform], clock: rig.clock })
      await rig.store.roles.create(rig.communityId, { name: 'Member', permissions: ['propose:*'], isDefault: true })
      await rig.store.policies.create(
        rig.communityId,
        {
          name: 'vote on posts',
          description: '',
          kind: 'platform',
          actionTypes: ['slack.postMessage'],
          priority: 0,
          variables: [],
          blocks: {
            ...emptyBlocks(),
            filter: 'return true',
            notify: [
              "const postId = slack.initiateVote({ text: 'Post this?', options: ['now', 'later'] })",
              'const users = slack.getUsersInChannel()',
              'slack.postMessage({ text: `${users.length} may vote on ${postId}` })',
            ].join('\n'),
          },
        },
        rig.clock.now(),
      )
      const ada = await rig.member(rig.ada)
      const outcome = await engine.propose({
        communityId: rig.communityId,
        type: 'slack.postMessage',
        params: { channel: rig.channel.id, text: 'hello garden' },
        initiatorId: ada.id,
        origin: 'policykit',
      })
      assert.equal(outcome.status, 'proposed')
      const [vote, note] = rig.channel.messages.slice(-2)
      assert.equal(vote?.text, 'Post this?')
      const proposal = await rig.store.proposals.list(rig.communityId)
      assert.equal(proposal[0]?.votePostId, `${rig.channel.id}:${String(vote?.ts)}`)
      assert.deepEqual(proposal[0]?.voteOptions, ['now', 'later'])
      assert.equal(note?.text, `3 may vote on ${String(proposal[0]?.votePostId)}`)
      assert.match(String(proposal[0]?.voteUrl), /^https:\/\/\S+\/archives\//)
      assert.equal(rig.fake.callsTo('chat.postMessage').length, 2, 'each Slack call made once')
    } finally {
      await sandbox.close()
      await rig.close()
    }
  })
})
