import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Member } from '../../../src/domain/member.ts'
import type { FakeMember, FakeMessage } from '../../fakes/discord/fake-discord.ts'
import { testDialects } from '../../support/test-store.ts'
import { startDiscordRig, type DiscordRig } from './discord-rig.ts'

/**
 * Policy functions and votes hosted in Discord, through the real engine, sandbox and server
 * against the fake Discord: `discord.initiateVote` posts a message with buttons and reactions,
 * clicks are counted by the interactions endpoint (answered with the message's new tally, an
 * ineligible voter told privately), and the decision re-posts the governed message under its
 * author's name and closes the vote.
 */
for (const dialect of testDialects()) {
  describe(`Discord votes and policy functions (${dialect})`, () => {
    let rig: DiscordRig
    let bob: FakeMember
    let carol: FakeMember
    let dave: FakeMember
    const members = new Map<string, Member>()

    const memberOf = async (fake: FakeMember): Promise<Member> => {
      const known = members.get(fake.user.id)
      if (known) {
        return known
      }
      const member = await rig.store.members.create(rig.communityId, {
        username: fake.user.username,
        displayName: fake.user.globalName ?? fake.user.username,
        now: rig.clock.now(),
      })
      await rig.store.members.linkAccount(rig.communityId, member.id, {
        platform: 'discord',
        externalId: fake.user.id,
        username: fake.user.username,
      })
      members.set(fake.user.id, member)
      return member
    }

    const voteMessage = (): FakeMessage => {
      const message = rig.fake.general.messages.find((m) => m.author.id === rig.fake.bot.id && m.components.length > 0)
      assert.ok(message, 'a vote message with buttons was posted')
      return message
    }

    /** Ada proposes posting `text` in #general: the proposal, waiting for a vote. */
    const proposeInGeneral = async (text: string) => {
      const ada = await memberOf(rig.ada)
      const proposed = await rig.engine.propose({
        communityId: rig.communityId,
        type: 'discord.postMessage',
        params: { channel: rig.fake.general.id, text },
        initiatorId: ada.id,
        origin: 'policykit',
      })
      assert.equal(proposed.status, 'proposed')
      assert.ok('proposal' in proposed)
      return proposed.proposal
    }

    before(async () => {
      rig = await startDiscordRig(dialect)
      bob = rig.fake.addMember({ name: 'bob' })
      carol = rig.fake.addMember({ name: 'carol', globalName: 'Carol C' })
      dave = rig.fake.addMember({ name: 'dave' })
      for (const m of [rig.ada, bob, carol]) {
        await memberOf(m)
      }
    })
    after(async () => {
      await rig.close()
    })

    it('puts a proposed message to a vote by buttons, and re-posts it under its author once it passes', async () => {
      await rig.policy({
        kind: 'platform',
        actionTypes: ['discord.postMessage'],
        blocks: {
          notify: `discord.initiateVote({ text: 'Post this?', users: ['bob', 'carol'] })`,
          check: `
            if (proposal.getYesVotes().length >= 2) return PASSED
            if (proposal.getNoVotes().length >= 2) return FAILED
            return PROPOSED`,
        },
      })
      const pending = await proposeInGeneral('tulips are lovely')
      const message = voteMessage()
      assert.match(message.content, /Post this\?/)
      assert.match(message.content, /👍 Yes: 0/)
      assert.deepEqual([...message.reactions.keys()], ['👍', '👎'], 'the bot offers the voting reactions')
      const proposal = await rig.store.proposals.get(rig.communityId, pending.id)
      assert.equal(proposal?.votePostId, `${rig.fake.general.id}:${message.id}`)
      assert.equal(
        proposal?.voteUrl,
        `https://discord.com/channels/${rig.fake.guild.id}/${rig.fake.general.id}/${message.id}`,
      )

      const bobClick = await rig.fake.as(bob).click(message, 'policykit_vote:yes')
      assert.equal(bobClick.status, 200)
      assert.equal(bobClick.answer?.['type'], 7, 'the click is answered with the updated message')
      assert.match(message.content, /👍 Yes: 1/)

      const daveClick = await rig.fake.as(dave).click(message, 'policykit_vote:yes')
      assert.deepEqual(daveClick.answer, {
        type: 4,
        data: { content: 'You are not eligible to vote on this.', flags: 64 },
      })
      assert.match(message.content, /👍 Yes: 1/, 'an ineligible click changes nothing')

      for (const tamper of ['badSignature', 'staleTimestamp', 'unsigned'] as const) {
        const forged = await rig.fake.as(carol).click(message, 'policykit_vote:yes', tamper)
        assert.equal(forged.status, 401, tamper)
      }
      assert.match(message.content, /👍 Yes: 1/, 'a forged or stale click changes nothing')
      assert.equal((await rig.store.votes.list(rig.communityId, pending.id)).length, 1)

      const carolClick = await rig.fake.as(carol).click(message, 'policykit_vote:yes')
      assert.equal(carolClick.answer?.['type'], 7)
      await rig.fake.redeliverLast()
      await rig.clock.settle()
      const decided = await rig.store.proposals.get(rig.communityId, pending.id)
      assert.equal(decided?.status, 'passed')
      assert.equal((await rig.store.votes.list(rig.communityId, pending.id)).length, 2)
      const reposted = rig.fake.general.messages.find((m) => m.content === 'tulips are lovely')
      assert.ok(reposted, 'the message was posted')
      assert.ok(reposted.webhookId !== null, 'through the channel webhook')
      assert.equal(reposted.author.username, 'Ada Lovelace', 'under the author’s name')
      assert.match(message.content, /✅ Passed/)
      assert.deepEqual(message.components, [], 'the decided vote has no buttons')
    })

    it('answers a click whose counting outlasts Discord’s 3 s with a deferred update, then rewrites the message', async () => {
      await rig.policy({
        kind: 'platform',
        actionTypes: ['discord.postMessage'],
        blocks: {
          filter: `return action.text === 'slow lilies'`,
          notify: `discord.initiateVote({ text: 'Lilies?', users: ['bob', 'carol'] })`,
          check: `return proposal.getYesVotes().length >= 2 ? PASSED : PROPOSED`,
        },
      })
      const pending = await proposeInGeneral('slow lilies')
      const message = rig.fake.general.messages.find((m) => m.content.startsWith('Lilies?'))
      assert.ok(message)
      // Discord is slow to take the tally's rewrite: counting the click cannot finish in time.
      const release = rig.fake.stall('PATCH', '/channels/:channel/messages/:message')
      const click = await rig.fake.as(bob).click(message, 'policykit_vote:yes')
      assert.deepEqual(click.answer, { type: 6 }, 'a deferred update, within Discord’s 3 s')
      release()
      const record = await rig.followedUp()
      assert.match(
        String(record.edits[0]?.['content']),
        /👍 Yes: 1/,
        'the clicked message is rewritten through the interaction',
      )
      assert.match(message.content, /👍 Yes: 1/)
      assert.equal((await rig.store.votes.list(rig.communityId, pending.id)).length, 1, 'counted once')
    })

    it('offers the policy functions: channels, people in a channel, messages, direct messages, renames', async () => {
      const policyId = await rig.policy({
        kind: 'trigger',
        actionTypes: ['discord.slashCommand'],
        blocks: {
          check: `
            const channels = discord.getChannels()
            const people = discord.getUsersInChannel()
            discord.postMessage({ text: 'channels: ' + channels.map((c) => c.name).join(',') + '; people: ' + people.map((p) => p.username).sort().join(',') })
            discord.sendDirectMessage({ text: 'hello from PolicyKit', users: [action.initiator] })
            discord.renameChannel({ name: 'garden' })
            return PASSED`,
        },
      })
      const delivery = await rig.fake.as(rig.ada).slashCommand(rig.fake.general, 'look around')
      assert.equal(delivery.status, 200)
      await rig.followedUp()
      await rig.clock.settle()
      const proposals = (await rig.store.proposals.list(rig.communityId)).filter((p) => p.policyId === policyId)
      assert.equal(proposals[0]?.status, 'passed')
      const summary = rig.fake.general.messages.find((m) => m.content.startsWith('channels: '))
      assert.ok(summary)
      assert.match(summary.content, /channels: general/)
      assert.match(summary.content, /people: ada,bob,carol,dave,owner/)
      const dm = [...rig.fake.guild.channels.values()].find(
        (c) => c.type === 1 && c.recipients[0]?.id === rig.ada.user.id,
      )
      assert.equal(dm?.messages.at(-1)?.content, 'hello from PolicyKit')
      assert.equal(rig.fake.general.name, 'garden')
    })
  })
}
