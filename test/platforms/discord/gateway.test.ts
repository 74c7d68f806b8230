import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { discordGatewayIntents } from '../../../src/platforms/discord/listen/gateway.ts'
import type { FakeMember } from '../../fakes/discord/fake-discord.ts'
import { startDiscordApp, type DiscordTestApp } from '../../support/discord-app.ts'
import { until as holds } from '../../support/until.ts'

/** Polls `ready` (real time: the gateway is a real socket) until it holds, failing after 10 s. */
async function until(what: string, ready: () => boolean | Promise<boolean>): Promise<void> {
  if (!(await holds(ready, 10_000))) {
    throw new Error(`timed out waiting until ${what}`)
  }
}

/**
 * The gateway connection of the real app (a `once` listener) against the fake Discord's real
 * WebSocket gateway: identified with the intents PolicyKit needs, heartbeating, every dispatch a
 * trigger, members' messages, renames, pins and new channels governed, reactions on a vote
 * counted, a dropped connection resumed without losing an event, and one connection however many
 * processes run.
 */
describe('the Discord gateway connection (real app, fake Discord)', () => {
  let t: DiscordTestApp
  let ada: FakeMember
  let bob: FakeMember
  let carol: FakeMember
  let dave: FakeMember

  const store = () => t.app.store
  const settle = async () => {
    await t.clock.settle()
  }

  before(async () => {
    t = await startDiscordApp()
    t.fake.gateway.heartbeatIntervalMs = 1000
    ;[ada, bob, carol] = t.people as [FakeMember, FakeMember, FakeMember]
    dave = t.fake.addMember({ name: 'dave' })
    await t.installDiscord()
    await until('the gateway is identified', () => t.fake.gateway.sessions.length === 1)
  })
  after(() => t.close())

  it('identifies with the intents PolicyKit needs and heartbeats', async () => {
    assert.deepEqual(
      t.fake.gateway.identifies.map((i) => i.intents),
      [discordGatewayIntents],
    )
    // guilds, members, guild messages, reactions, message content
    assert.equal(discordGatewayIntents, 1 | 2 | (1 << 9) | (1 << 10) | (1 << 15))
    await until('a heartbeat is acknowledged', () => t.fake.gateway.heartbeatAcks > 0)
  })

  it('votes on a member’s message: deleted, vote posted, buttons and a reaction, re-posted under the author', async () => {
    const policies = await store().policies.list(t.communityId)
    const base = policies.find((p) => p.kind === 'platform')
    assert.ok(base)
    const general = t.fake.general.id
    await store().policies.create(
      t.communityId,
      {
        name: 'Vote on #general',
        description: '',
        kind: 'platform',
        actionTypes: ['discord.postMessage'],
        priority: 10,
        variables: [],
        blocks: {
          filter: `return action.channel === '${general}'`,
          initialize: '',
          check: `
            if (proposal.getYesVotes().length >= 3) return PASSED
            if (proposal.getNoVotes().length >= 2) return FAILED
            return PROPOSED`,
          notify: `discord.initiateVote({ text: 'Let this message stand?' })`,
          pass: '',
          fail: `discord.sendDirectMessage({ text: 'Your message was not accepted by vote.', users: [action.initiator] })`,
        },
      },
      t.clock.now(),
    )
    const posted = t.fake.as(ada).post(t.fake.general, 'roses for everyone')
    await until('the message is deleted', () => !t.fake.general.messages.some((m) => m.id === posted.id))
    await until('the vote is posted', () => t.fake.general.messages.some((m) => m.components.length > 0))
    const vote = t.fake.general.messages.find((m) => m.components.length > 0)
    assert.ok(vote)
    await t.fake.as(bob).click(vote, 'policykit_vote:yes')
    await t.fake.as(carol).click(vote, 'policykit_vote:yes')
    assert.match(vote.content, /👍 Yes: 2/)
    t.fake.as(dave).react(vote, '👍')
    await until('the message is re-posted', () =>
      t.fake.general.messages.some((m) => m.content === 'roses for everyone' && m.webhookId !== null),
    )
    const reposted = t.fake.general.messages.find((m) => m.content === 'roses for everyone')
    assert.equal(reposted?.author.username, 'Ada Discord')
    await until('the vote shows its outcome', () => /✅ Passed/.test(vote.content))
    assert.deepEqual(vote.components, [])
    await settle()
    const actions = (await store().actions.list(t.communityId)).filter((a) => a.type === 'discord.postMessage')
    assert.equal(actions.length, 1, 'the re-post through the webhook is not a new action')
  })

  it('tells the author privately when the vote fails, and leaves the message deleted', async () => {
    const posted = t.fake.as(bob).post(t.fake.general, 'weeds are flowers too')
    await until('the vote is posted', () =>
      t.fake.general.messages.some((m) => m.components.length > 0 && m.content.includes('0 vote(s) so far')),
    )
    const vote = t.fake.general.messages.find((m) => m.components.length > 0 && m.content.includes('0 vote(s)'))
    assert.ok(vote)
    await t.fake.as(ada).click(vote, 'policykit_vote:no')
    t.fake.as(carol).react(vote, '👎')
    await until('the vote fails', () => /❌ Failed/.test(vote.content))
    const dm = () =>
      [...t.fake.guild.channels.values()].find((c) => c.type === 1 && c.recipients[0]?.id === bob.user.id)
    await until('bob is told', () => dm()?.messages.some((m) => /not accepted/.test(m.content)) === true)
    assert.ok(!t.fake.general.messages.some((m) => m.id === posted.id || m.content === 'weeds are flowers too'))
  })

  it('reverts at once a rename by someone who may not rename, and keeps PolicyKit’s own rename back from becoming an action', async () => {
    const roles = await store().roles.list(t.communityId)
    const member = roles.find((r) => r.isDefault)
    assert.ok(member)
    await store().roles.update(t.communityId, member.id, {
      permissions: member.permissions.filter((p) => p !== 'propose:*').concat(['propose:discord.postMessage']),
    })
    const mod = t.fake.addRole({ name: 'Channel keeper', permissions: 1n << 4n })
    const keeper = t.fake.addMember({ name: 'keeper', roles: [mod] })
    const general = t.fake.general
    t.fake.as(keeper).rename(general, 'chaos')
    await until('the rename is reverted', () => general.name === 'general')
    await settle()
    const renames = (await store().actions.list(t.communityId)).filter((a) => a.type === 'discord.renameChannel')
    assert.equal(renames.length, 1, 'one action: the member’s rename, not PolicyKit’s rename back')
    await store().roles.update(t.communityId, member.id, { permissions: member.permissions })
  })

  it('governs pins and reaches trigger policies with every event', async () => {
    await store().policies.create(
      t.communityId,
      {
        name: 'Log reactions',
        description: '',
        kind: 'trigger',
        actionTypes: ['discord.MESSAGE_REACTION_ADD'],
        priority: 0,
        variables: [],
        blocks: {
          filter: '',
          initialize: '',
          check: 'return PASSED',
          notify: '',
          pass: `discord.postMessage({ text: 'reacted: ' + action.emoji.name, channel: action.channel_id })`,
          fail: '',
        },
      },
      t.clock.now(),
    )
    const random = t.fake.addChannel('garden-beds')
    await settle()
    const message = t.fake.as(ada).post(random, 'pin me')
    t.fake.as(t.fake.owner).pin(message)
    t.fake.as(bob).react(message, '🌷')
    await until('the trigger policy answered', () => random.messages.some((m) => m.content === 'reacted: 🌷'))
    await until('the pin is an action', async () =>
      (await store().actions.list(t.communityId)).some((a) => a.type === 'discord.pinMessage'),
    )
    const pin = (await store().actions.list(t.communityId)).find((a) => a.type === 'discord.pinMessage')
    assert.equal(pin?.params['message'], message.id)
    const owner = await store().members.findByAccount(t.communityId, 'discord', t.fake.owner.user.id)
    assert.equal(pin?.initiatorId, owner?.id, 'the pin is the one who pinned')
  })

  it('keeps PolicyKit’s own deletions, pins, role changes and kicks from coming back as actions', async () => {
    const watched = [
      'discord.MESSAGE_DELETE',
      'discord.CHANNEL_PINS_UPDATE',
      'discord.GUILD_MEMBER_UPDATE',
      'discord.GUILD_MEMBER_REMOVE',
      'discord.MESSAGE_UPDATE',
    ]
    await store().policies.create(
      t.communityId,
      {
        name: 'Watch what changes',
        description: '',
        kind: 'trigger',
        actionTypes: watched,
        priority: 0,
        variables: [],
        blocks: { filter: '', initialize: '', check: 'return PASSED', notify: '', pass: '', fail: '' },
      },
      t.clock.now(),
    )
    const seen = async () => (await store().actions.list(t.communityId)).filter((a) => watched.includes(a.type))
    const before = (await seen()).length
    const admin = (await store().members.list(t.communityId)).find((m) => m.username === 'admin')
    assert.ok(admin)
    const beds = [...t.fake.guild.channels.values()].find((c) => c.name === 'garden-beds')
    assert.ok(beds)
    const fern = t.fake.addMember({ name: 'fern' })
    const gardener = t.fake.addRole({ name: 'Gardener', permissions: 0n })
    const note = t.fake.as(ada).post(beds, 'a note to pin')
    const carry = async (type: string, params: Record<string, string>, done: () => boolean) => {
      await t.app.engine.propose({
        communityId: t.communityId,
        type,
        params,
        initiatorId: admin.id,
        origin: 'policykit',
      })
      await until(`${type} is carried out`, done)
    }
    // PolicyKit's own calls: each reported by the gateway, none of them a new action.
    await carry('discord.pinMessage', { channel: beds.id, message: note.id }, () => note.pinned)
    await carry(
      'discord.addRole',
      { user: fern.user.id, role: gardener.id },
      () => t.fake.guild.members.get(fern.user.id)?.roleIds.has(gardener.id) === true,
    )
    await carry(
      'discord.removeRole',
      { user: fern.user.id, role: gardener.id },
      () => t.fake.guild.members.get(fern.user.id)?.roleIds.has(gardener.id) === false,
    )
    await carry('discord.kickMember', { user: fern.user.id }, () => !t.fake.guild.members.has(fern.user.id))
    // A member's message undone at once (they may not post) is deleted by PolicyKit.
    const roles = await store().roles.list(t.communityId)
    const member = roles.find((r) => r.isDefault)
    assert.ok(member)
    await store().roles.update(t.communityId, member.id, { permissions: ['vote'] })
    const undone = t.fake.as(carol).post(beds, 'not allowed to say this')
    await until('the message is undone', () => !beds.messages.some((m) => m.id === undone.id))
    await store().roles.update(t.communityId, member.id, { permissions: member.permissions })
    // What a member does still reaches trigger policies: the owner unpins by hand (it comes after, in order).
    note.pinned = false
    t.fake.as(t.fake.owner).pin(note)
    await until('the member’s pin reaches the trigger policy', async () => (await seen()).length > before)
    await settle()
    const after = await seen()
    assert.deepEqual(
      after.slice(before).map((a) => a.type),
      ['discord.CHANNEL_PINS_UPDATE'],
      'only the member’s pin: not PolicyKit’s pin, role changes, kick or deletion',
    )
  })

  it('resumes a dropped connection and loses no event', async () => {
    const before = (await store().actions.list(t.communityId)).length
    t.fake.gateway.hold(true)
    t.fake.as(carol).post(t.fake.general, 'said while the link was down')
    t.fake.gateway.drop()
    t.fake.gateway.hold(false)
    await until('the session is resumed', () => t.fake.gateway.resumes.length === 1)
    assert.equal(t.fake.gateway.identifies.length, 1, 'resumed, not identified again')
    assert.ok((t.fake.gateway.resumes[0]?.replayed ?? 0) >= 1)
    await until('the missed message is governed', async () =>
      (await store().actions.list(t.communityId)).some((a) => a.params['text'] === 'said while the link was down'),
    )
    assert.ok((await store().actions.list(t.communityId)).length > before)
    t.fake.gateway.reconnect()
    await until('op 7 is followed by a resume', () => t.fake.gateway.resumes.length === 2)
  })

  it('holds one gateway connection across two processes; the one that takes over resumes the session mid-vote', async () => {
    await t.startAnotherProcess()
    // Several lease renewals (every 0.2 s) pass: the second process stays off the gateway.
    for (let i = 0; i < 6; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      assert.ok(t.fake.gateway.connectionCount() <= 1, 'never two connections')
      assert.equal(t.fake.gateway.identifies.length, 1, 'the second process never identifies')
    }
    // A vote under way: one click counted by the first process.
    const earlier = t.fake.general.messages.length
    t.fake.as(ada).post(t.fake.general, 'compost is gold')
    const open = () => t.fake.general.messages.slice(earlier).find((m) => m.components.length > 0)
    await until('the vote is posted', () => open() !== undefined)
    const vote = open()
    assert.ok(vote)
    await t.fake.as(bob).click(vote, 'policykit_vote:yes')
    await until('the click is counted', () => /👍 Yes: 1/.test(vote.content))
    await settle()
    const session = t.fake.gateway.sessions[0]
    assert.ok(session)
    const resumesBefore = t.fake.gateway.resumes.length

    await t.stopFirstProcess()
    // What Discord had sent by then; the holder may have stopped before handling the last of it.
    const sentUpTo = session.seq

    // While no process holds the connection, a member votes by reaction: Discord keeps it for the session.
    t.fake.as(carol).react(vote, '👍')
    await until('the other process resumes', () => t.fake.gateway.resumes.length === resumesBefore + 1)
    const resumed = t.fake.gateway.resumes.at(-1)
    assert.equal(resumed?.sessionId, session.id, 'the same session')
    assert.ok(
      resumed !== undefined && resumed.seq <= sentUpTo && resumed.seq >= sentUpTo - 2,
      `from the last event handled (${resumed?.seq}), at most what was sent (${sentUpTo}): nothing lost`,
    )
    assert.ok((resumed?.replayed ?? 0) >= 1, 'the reaction made during the gap is replayed')
    assert.equal(t.fake.gateway.identifies.length, 1, 'resumed, not identified again')
    await until('one connection', () => t.fake.gateway.connectionCount() === 1)

    t.fake.as(dave).react(vote, '👍')
    await until('the message is re-posted', () =>
      t.fake.general.messages.some((m) => m.content === 'compost is gold' && m.webhookId !== null),
    )
    const reposts = t.fake.general.messages.filter((m) => m.content === 'compost is gold')
    assert.equal(reposts.length, 1, 're-posted once')
    const action = (await store().actions.list(t.communityId)).find((a) => a.params['text'] === 'compost is gold')
    assert.ok(action)
    const proposal = (await store().proposals.list(t.communityId)).find((p) => p.actionId === action.id)
    assert.ok(proposal)
    assert.equal(proposal.status, 'passed')
    const votes = await store().votes.list(t.communityId, proposal.id)
    assert.equal(votes.length, 3, 'the click, the reaction made in the gap and the last one, each once')
  })

  it('waits out a 429 through the durable queue, and carries the execution out once, later', async () => {
    const admin = (await store().members.list(t.communityId)).find((m) => m.username === 'admin')
    assert.ok(admin)
    t.fake.failNext('POST', '/guilds/:guild/channels', { status: 429, retryAfterSeconds: 2.5 })
    const outcome = await t.app.engine.propose({
      communityId: t.communityId,
      type: 'discord.createChannel',
      params: { name: 'seedlings' },
      initiatorId: admin.id,
      origin: 'policykit',
    })
    await settle()
    const made = () => [...t.fake.guild.channels.values()].filter((c) => c.name === 'seedlings')
    assert.equal(made().length, 0, 'Discord said to wait')
    assert.equal(t.fake.callsTo('POST', '/guilds/:guild/channels').at(-1)?.status, 429)
    await t.clock.advance(1_000)
    assert.equal(made().length, 0, 'not before retry_after')
    await t.clock.advance(30_000)
    await until('the channel is made', () => made().length === 1)
    await settle()
    assert.equal(made().length, 1, 'once')
    const action = await store().actions.get(t.communityId, 'action' in outcome ? outcome.action.id : -1)
    assert.equal(action?.executionState, 'executed')
  })

  it('switches the connection off and logs it when the bot is removed from the guild', async () => {
    t.fake.removeBot()
    await until(
      'the integration is off',
      async () => (await store().integrations.findByExternalId('discord', t.fake.guild.id))?.active === false,
    )
  })
})
