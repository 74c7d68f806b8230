// The Discord part of `npm run bench`: the real app (server listening, scheduler, job queue,
// gateway listener, SQLite in a temporary directory) against the fake Discord, both in this
// process, connected through the OAuth install. Each figure runs from the moment a member's doing
// starts in the fake (the gateway dispatch of a message, the signed delivery of a click) to the
// moment the fake has received the REST call that answers it, so it includes the fake's own work
// (WebSocket, signing, HTTP on 127.0.0.1) on both sides.
import { performance } from 'node:perf_hooks'
import { firstCallAfter, giveUpMs, timeDecidingVote, timeHeldMessages } from './platform-timing.ts'
import type { FakeChannel, FakeDiscord, FakeMember, RestCall } from '../test/fakes/discord/fake-discord.ts'
import { startDiscordApp, type DiscordTestApp } from '../test/support/discord-app.ts'

export interface DiscordFigures {
  discord_message_to_revert_p50_ms: number
  discord_message_to_revert_p99_ms: number
  discord_vote_to_repost_p50_ms: number
  discord_vote_to_repost_p99_ms: number
}

const warmUp = 5

interface World {
  t: DiscordTestApp
  fake: FakeDiscord
  decisions: FakeChannel
  author: FakeMember
  voters: [FakeMember, FakeMember, FakeMember]
}

async function startWorld(): Promise<World> {
  const t = await startDiscordApp()
  try {
    const decisions = t.fake.addChannel('decisions')
    await t.installDiscord()
    const [ada, bob, carol] = t.people
    const dave = t.fake.addMember({ name: 'dave' })
    if (!ada || !bob || !carol) {
      throw new Error('bench: the fake Discord made fewer members than asked')
    }
    await t.app.store.policies.create(
      t.communityId,
      {
        name: 'Vote on #decisions',
        description: '',
        kind: 'platform',
        actionTypes: ['discord.postMessage'],
        priority: 10,
        variables: [],
        blocks: {
          filter: `return action.channel === '${decisions.id}'`,
          initialize: '',
          check: 'return proposal.getYesVotes().length >= 3 ? PASSED : PROPOSED',
          notify: `discord.initiateVote({ text: 'Vote: ' + action.text })`,
          pass: '',
          fail: '',
        },
      },
      t.clock.now(),
    )
    const deadline = performance.now() + giveUpMs
    while (t.fake.gateway.sessions.length === 0) {
      if (performance.now() > deadline) {
        throw new Error('bench: the gateway never connected')
      }
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    return { t, fake: t.fake, decisions, author: ada, voters: [bob, carol, dave] }
  } catch (e) {
    await t.close()
    throw e
  }
}

/** The first REST call after the first `from` that `match` accepts, and when (exact to one event-loop turn). */
function received(w: World, from: number, what: string, match: (call: RestCall) => boolean) {
  let followed = performance.now()
  return firstCallAfter(() => w.fake.calls, from, `${what} at the fake Discord`, match, {
    // The app runs on the rig's fake clock: it follows real time while we wait, so what the app
    // put off (a retry after Discord's rate limit said to wait) runs when it would for real.
    async eachTurn() {
      const now = performance.now()
      if (now - followed >= 1) {
        await w.t.clock.advance(Math.floor(now - followed))
        followed += Math.floor(now - followed)
      }
    },
    describe: (since) =>
      since
        .slice(-8)
        .map((c) => `${c.method} ${c.path} ${c.status}`)
        .join(', '),
  })
}

/** One held message: its dispatch → its DELETE, then the deciding click → its re-post through the webhook. */
async function holdAndDecide(w: World, i: number): Promise<{ revertMs: number; repostMs: number }> {
  const { fake, decisions, author, voters } = w
  const text = `Bench message ${i}`
  const from = fake.calls.length
  const start = performance.now()
  const posted = fake.as(author).post(decisions, text)
  const deleted = await received(
    w,
    from,
    `delete of "${text}"`,
    (c) => c.method === 'DELETE' && c.path === `/channels/${decisions.id}/messages/${posted.id}` && c.status === 204,
  )
  const revertMs = deleted.at - start
  const vote = await received(w, from, `the vote on "${text}"`, (c) => {
    const content = c.body['content']
    return (
      c.method === 'POST' &&
      c.route === '/channels/:channel/messages' &&
      typeof content === 'string' &&
      content.startsWith(`Vote: ${text}\n`)
    )
  })
  const voteMessage = decisions.messages.find((m) => m.content.startsWith(`Vote: ${text}\n`))
  if (voteMessage === undefined) {
    throw new Error(`bench: no vote message for "${text}" (${vote.call.status})`)
  }
  const repostMs = await timeDecidingVote({
    voters,
    click: (voter) => fake.as(voter).click(voteMessage, 'policykit_vote:yes'),
    callCount: () => fake.calls.length,
    reposted: (since) =>
      received(
        w,
        since,
        `re-post of "${text}"`,
        (c) => c.method === 'POST' && c.route === '/webhooks/:webhook/:token' && c.body['content'] === text,
      ),
    settle: () => w.t.clock.settle(),
  })
  return { revertMs, repostMs }
}

export async function discordPart(n: number): Promise<DiscordFigures> {
  const w = await startWorld()
  try {
    const held = await timeHeldMessages(n, warmUp, (i) => holdAndDecide(w, i))
    return {
      discord_message_to_revert_p50_ms: held.revertP50,
      discord_message_to_revert_p99_ms: held.revertP99,
      discord_vote_to_repost_p50_ms: held.repostP50,
      discord_vote_to_repost_p99_ms: held.repostP99,
    }
  } finally {
    await w.t.close()
  }
}

// `node bench/discord.ts [N]` runs this part alone.
if (import.meta.main) {
  const figures = await discordPart(Number(process.argv[2] ?? '50'))
  process.stdout.write(`${JSON.stringify(figures)}\n`)
}
