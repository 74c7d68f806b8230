// The Slack part of `npm run bench`: the real app (server listening, scheduler, job queue, SQLite
// in a temporary directory) against the fake Slack, both in this process, connected through the
// OAuth install as test/platforms/slack/e2e.test.ts does it. Each figure runs from the moment the
// fake starts a signed delivery to the moment the fake has received the Web API call that answers
// it, so it includes the fake's own work (signing, HTTP on 127.0.0.1) on both sides.
import { performance } from 'node:perf_hooks'
import { firstCallAfter, timeDecidingVote, timeHeldMessages } from './platform-timing.ts'
import { voteActionId } from '../src/platforms/slack/voting/vote-message.ts'
import type { ApiCall, FakeChannel, FakeSlack, FakeUser } from '../test/fakes/slack/fake-slack.ts'
import { startSlackApp, type SlackTestApp } from '../test/support/slack-app.ts'
import { slackVotePolicy, slackVotePrompt } from '../test/support/slack-vote-policy.ts'

export interface SlackFigures {
  slack_message_to_revert_p50_ms: number
  slack_message_to_revert_p99_ms: number
  slack_vote_to_repost_p50_ms: number
  slack_vote_to_repost_p99_ms: number
  slack_events_per_s: number
  slack_retried_events_per_s: number
}

/** Rounds not counted, before each measured loop: JIT, sandbox pool, statement caches. */
const warmUp = 10

interface World {
  t: SlackTestApp
  fake: FakeSlack
  decisions: FakeChannel
  chatter: FakeChannel
  author: FakeUser
  voters: [FakeUser, FakeUser, FakeUser]
}

async function startWorld(): Promise<World> {
  const t = await startSlackApp({ slackUsers: ['bob', 'carol', 'dave', 'erin'] })
  try {
    await t.installSlack()
    const [bob, carol, dave, erin] = t.slackUsers
    if (!bob || !carol || !dave || !erin) {
      throw new Error('bench: the fake Slack made fewer users than asked')
    }
    const everyone = [t.slackAdmin, bob, carol, dave, erin]
    const decisions = t.fake.addChannel({ name: 'decisions', members: everyone })
    const chatter = t.fake.addChannel({ name: 'chatter', members: everyone })
    const res = await t.admin.post(`/api/communities/${t.communityId}/actions`, {
      type: 'constitution.addPolicy',
      params: slackVotePolicy(decisions),
    })
    if (res.status !== 201) {
      throw new Error(`bench: adding the vote policy failed: ${res.status} ${res.text}`)
    }
    await t.clock.settle()
    return { t, fake: t.fake, decisions, chatter, author: bob, voters: [carol, dave, erin] }
  } catch (e) {
    await t.close()
    throw e
  }
}

/** The first Slack call after the first `from` that `match` accepts, and when (exact to one event-loop turn). */
function received(fake: FakeSlack, from: number, what: string, match: (call: ApiCall) => boolean) {
  return firstCallAfter(() => fake.calls, from, `${what} at the fake Slack`, match)
}

/** One held message: (f) its delivery → its chat.delete, then (g) the deciding click → its re-post. */
async function holdAndDecide(w: World, i: number): Promise<{ revertMs: number; repostMs: number }> {
  const { fake, decisions, author, voters } = w
  const text = `Bench message ${i}`

  const from = fake.calls.length
  const start = performance.now()
  const [posted, deleted] = await Promise.all([
    fake.as(author).postMessage(decisions, text),
    received(fake, from, `chat.delete of "${text}"`, (c) => c.method === 'chat.delete' && c.status === 200),
  ])
  if (posted.deliveries[0]?.status !== 200 || deleted.call.args['ts'] !== posted.message.ts) {
    throw new Error(`bench: "${text}" was not delivered and deleted as expected`)
  }
  const revertMs = deleted.at - start
  await w.t.clock.settle()

  const vote = fake
    .callsTo('chat.postMessage')
    .find((c) => c.status === 200 && c.args['text'] === `${slackVotePrompt}${text}`)
  const voteTs = vote?.response['ts']
  if (typeof voteTs !== 'string') {
    throw new Error(`bench: no vote was posted for "${text}"`)
  }
  const repostMs = await timeDecidingVote({
    voters,
    click: (voter) => fake.as(voter).clickButton(decisions, voteTs, voteActionId, 'yes'),
    callCount: () => fake.calls.length,
    reposted: (since) =>
      received(
        fake,
        since,
        `re-post of "${text}"`,
        (c) => c.method === 'chat.postMessage' && c.status === 200 && c.args['text'] === text,
      ),
    settle: () => w.t.clock.settle(),
  })
  return { revertMs, repostMs }
}

/** How many governed messages the community has recorded in `channel`. */
async function actionsIn(w: World, channel: FakeChannel): Promise<number> {
  let count = 0
  for (let beforeId: number | undefined; ;) {
    const page = await w.t.app.store.actions.list(w.t.communityId, { limit: 500, ...(beforeId && { beforeId }) })
    count += page.filter((a) => a.type === 'slack.postMessage' && a.params['channel'] === channel.id).length
    beforeId = page.at(-1)?.id
    if (beforeId === undefined) {
      return count
    }
  }
}

/**
 * (h) Sequential signed message events in a channel only the kit's base policy governs (each
 * becomes an action with a passed proposal, nothing to call Slack for), then as many retries of the
 * last one, which the app recognises as handled. Each rate counts until the app is idle again.
 */
async function throughput(w: World, n: number): Promise<{ perS: number; retriedPerS: number }> {
  const { fake, chatter, author } = w
  const post = async (text: string) => {
    const { deliveries } = await fake.as(author).postMessage(chatter, text)
    if (deliveries[0]?.status !== 200) {
      throw new Error(`bench: a message event was answered ${deliveries[0]?.status}`)
    }
  }
  for (let i = 0; i < warmUp; i++) {
    await post(`Warm-up ${i}`)
  }
  await w.t.clock.settle()
  const before = await actionsIn(w, chatter)

  let start = performance.now()
  for (let i = 0; i < n; i++) {
    await post(`Chatter ${i}`)
  }
  await w.t.clock.settle()
  const handledMs = performance.now() - start
  const afterHandled = await actionsIn(w, chatter)
  if (afterHandled !== before + n) {
    throw new Error(`bench: ${n} message events made ${afterHandled - before} actions`)
  }

  start = performance.now()
  for (let i = 0; i < n; i++) {
    // Slack retries an event up to three times.
    const retried = await fake.redeliverLast((i % 3) + 1)
    if (retried.status !== 200) {
      throw new Error(`bench: a retried event was answered ${retried.status}`)
    }
  }
  await w.t.clock.settle()
  const retriedMs = performance.now() - start
  if ((await actionsIn(w, chatter)) !== afterHandled) {
    throw new Error('bench: a retried event made a new action')
  }
  return { perS: n / (handledMs / 1000), retriedPerS: n / (retriedMs / 1000) }
}

/** (f), (g) and (h) over `n` messages each, always on SQLite. */
export async function slackPart(n: number): Promise<SlackFigures> {
  const w = await startWorld()
  try {
    const held = await timeHeldMessages(n, warmUp, (i) => holdAndDecide(w, i))
    const { perS, retriedPerS } = await throughput(w, n)
    return {
      slack_message_to_revert_p50_ms: held.revertP50,
      slack_message_to_revert_p99_ms: held.revertP99,
      slack_vote_to_repost_p50_ms: held.repostP50,
      slack_vote_to_repost_p99_ms: held.repostP99,
      slack_events_per_s: perS,
      slack_retried_events_per_s: retriedPerS,
    }
  } finally {
    await w.t.close()
  }
}
