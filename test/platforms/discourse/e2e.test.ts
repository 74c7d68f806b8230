import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { startApp, type App } from '../../../src/app.ts'
import { loadConfig } from '../../../src/config.ts'
import type { Proposal } from '../../../src/domain/proposal.ts'
import { silentLogger } from '../../../src/engine/logger.ts'
import { sessionCookie } from '../../../src/server/auth/session.ts'
import { testDiscourseEnv } from '../../fakes/discourse/connect-directly.ts'
import { startFakeDiscourse, type FakeDiscourse } from '../../fakes/discourse/fake-discourse.ts'
import type { ForumCategory, ForumPost, ForumUser } from '../../fakes/discourse/forum.ts'
import { postHookJson } from '../../fakes/discourse/shapes.ts'
import { fakeClock, type FakeClock } from '../../support/fake-clock.ts'
import { freePort } from '../../support/free-port.ts'
import { signedInClient, testPassword, type TestClient } from '../../support/server-harness.ts'
import { testSecretKey } from '../../support/test-store.ts'
import { until } from '../../support/until.ts'

/**
 * Discourse end to end: the real app (SQLite, scheduler, listeners, the server on a port) against
 * the fake forum, connected by API key through `POST /platforms/discourse/connect`, with a vote
 * policy on new topics in the Proposals category that the community adds through its
 * constitution. Polls are read every 100 ms (DISCOURSE_POLL_SECONDS=0.1).
 */
describe('Discourse end to end: the real app against the fake forum', () => {
  let app: App
  let fake: FakeDiscourse
  let clock: FakeClock
  let dataDir: string
  let admin: TestClient
  let communityId: number
  let proposals: ForumCategory
  const people: Record<string, ForumUser> = {}

  before(async () => {
    clock = fakeClock()
    fake = await startFakeDiscourse({ now: () => clock.now() })
    fake.forum.addUser({ username: 'policykit', admin: true })
    for (const name of ['bob', 'carol', 'dave', 'erin']) {
      people[name] = fake.forum.addUser({ username: name, name: `${name} of the forum` })
    }
    proposals = fake.forum.addCategory('Proposals')
    dataDir = await mkdtemp(path.join(tmpdir(), 'policykit-discourse-'))
    const port = await freePort()
    const baseUrl = `http://127.0.0.1:${port}`
    app = await startApp(
      loadConfig({
        POLICYKIT_DATA_DIR: dataDir,
        POLICYKIT_SECRET_KEY: testSecretKey.toString('hex'),
        POLICYKIT_PUBLIC_URL: baseUrl,
        POLICYKIT_SANDBOX_POOL: '2',
        POLICYKIT_LISTENER_LEASE_SECONDS: '1',
        ...testDiscourseEnv,
        DISCOURSE_POLL_SECONDS: '0.1',
      }),
      silentLogger,
      clock,
    )
    await app.server.listen({ host: '127.0.0.1', port })
    const setup = await app.server.inject({
      method: 'POST',
      url: '/api/setup',
      payload: {
        token: app.setupToken,
        communityName: 'Gardeners',
        kit: 'testing',
        username: 'admin',
        displayName: 'Admin',
        password: testPassword,
      },
    })
    assert.equal(setup.statusCode, 200, setup.body)
    communityId =
      (JSON.parse(setup.body) as { memberships: { communityId: number }[] }).memberships[0]?.communityId ?? 0
    admin = signedInClient(app.server, setup, communityId)

    const connected = await admin.post<{
      webhook: { url: string; secret: string; created?: boolean }
      activation: { status: string }
    }>('/platforms/discourse/connect', {
      community: communityId,
      url: fake.url,
      apiKey: fake.apiKey,
      apiUsername: 'policykit',
      createWebhook: true,
    })
    assert.equal(connected.status, 200, connected.text)
    assert.ok(['passed', 'active'].includes(connected.json.activation.status), connected.text)
    // PolicyKit made the forum's webhook itself, with the secret it tells the admin.
    assert.equal(connected.json.webhook.created, true)
    assert.deepEqual(
      fake.forum.webhooks.map((h) => ({ url: h.url, secret: h.secret, json: h.contentType === 1, all: h.wildcard })),
      [{ url: `${baseUrl}/platforms/discourse/webhook`, secret: connected.json.webhook.secret, json: true, all: true }],
    )

    const policy = await admin.post(`/api/communities/${communityId}/actions`, {
      type: 'constitution.addPolicy',
      params: {
        name: 'New proposals need two yes votes',
        kind: 'platform',
        actionTypes: ['discourse.createTopic'],
        priority: 10,
        blocks: {
          filter: `return action.category === ${proposals.id}`,
          notify: `discourse.initiateVote({ text: 'Keep this topic? ' + action.title })`,
          check: `
            if (proposal.getYesVotes().length >= 2) return PASSED
            if (proposal.getNoVotes().length >= 2) return FAILED
            return PROPOSED`,
          fail: `discourse.sendPrivateMessage({ users: [action.initiator], title: 'Your proposal', raw: 'Your topic was voted down, so it stays deleted.' })`,
        },
      },
    })
    assert.equal(policy.status, 201, policy.text)
  })
  after(async () => {
    await app?.stop()
    await fake?.close()
    await rm(dataDir, { recursive: true, force: true })
  })

  const person = (name: string): ForumUser => {
    const user = people[name]
    assert.ok(user)
    return user
  }

  async function proposalOfTopic(topicId: number): Promise<Proposal> {
    const action = (await app.store.actions.list(communityId)).find(
      (a) => a.type === 'discourse.createTopic' && a.params['topicId'] === topicId,
    )
    assert.ok(action, `no action for topic ${topicId}`)
    const [proposal] = await app.store.proposals.list(communityId, { actionId: action.id })
    assert.ok(proposal)
    return proposal
  }

  const status = async (proposalId: number) => (await app.store.proposals.get(communityId, proposalId))?.status

  /** The poll post PolicyKit made for the proposal. */
  async function votePost(proposal: Proposal): Promise<ForumPost> {
    const current = await app.store.proposals.get(communityId, proposal.id)
    const post = fake.forum.post(Number(current?.votePostId))
    assert.ok(post, 'the policy posted a poll')
    return post
  }

  it('deletes a new proposal topic, posts a poll, and recovers the topic within a poll interval of the deciding vote', async (t) => {
    const { topic } = await fake.as(person('bob')).createTopic({
      title: 'Plant an orchard by the gate',
      raw: 'Apples and pears',
      categoryId: proposals.id,
    })
    assert.notEqual(fake.forum.topic(topic.id)?.deletedAt, null, 'deleted while the vote runs')
    const proposal = await proposalOfTopic(topic.id)
    assert.equal(proposal.status, 'proposed')
    const poll = await votePost(proposal)
    assert.match(poll.revisions[0] ?? '', /Keep this topic\? Plant an orchard by the gate/)
    assert.deepEqual(
      poll.polls[0]?.options.map((o) => o.html),
      ['Yes', 'No'],
    )
    const current = await app.store.proposals.get(communityId, proposal.id)
    assert.equal(current?.voteUrl, `${fake.url}/t/${poll.topicId}/${poll.postNumber}`)

    fake.as(person('carol')).vote(poll, ['No'])
    fake.as(person('dave')).vote(poll, ['Yes'])
    assert.ok(
      await until(async () => (await app.store.votes.list(communityId, proposal.id)).length === 2),
      'the poller read both votes',
    )
    assert.equal(await status(proposal.id), 'proposed')
    const decidingAt = performance.now()
    fake.as(person('carol')).vote(poll, ['Yes']) // Carol changes her mind: her vote moves.
    assert.ok(
      await until(async () => (await status(proposal.id)) === 'passed'),
      'the proposal passed once two members voted yes',
    )
    assert.ok(await until(() => fake.forum.topic(topic.id)?.deletedAt === null, 5_000), 'the topic is back')
    t.diagnostic(
      `discourse e2e: deciding vote → topic recovered ${(performance.now() - decidingAt).toFixed(0)} ms (poll interval 100 ms)`,
    )
    assert.ok(await until(() => poll.polls[0]?.status === 'closed', 5_000), 'the poll is closed')
    const votes = await app.store.votes.list(communityId, proposal.id)
    assert.deepEqual(votes.map((v) => v.value).sort(), [true, true])
  })

  it('leaves a voted-down topic deleted and tells its author by private message', async () => {
    const { topic } = await fake.as(person('erin')).createTopic({
      title: 'Pave the herb garden',
      raw: 'Less weeding',
      categoryId: proposals.id,
    })
    const proposal = await proposalOfTopic(topic.id)
    const poll = await votePost(proposal)
    fake.as(person('bob')).vote(poll, ['No'])
    fake.as(person('carol')).vote(poll, ['No'])
    // A post_edited naming the vote post reads the votes at once, without waiting for the poller.
    await fake.deliver('post_edited', { post: postHookJson(fake.forum, poll) })
    assert.equal(await status(proposal.id), 'failed')
    assert.ok(
      await until(() =>
        fake.forum.topics.some(
          (t) => t.archetype === 'private_message' && t.recipients.includes('erin') && t.title === 'Your proposal',
        ),
      ),
      'the author is told by private message',
    )
    assert.notEqual(fake.forum.topic(topic.id)?.deletedAt, null, 'the topic stays deleted')
  })

  it('withdraws a vote taken back in the poll, and moves one whose option changed', async () => {
    const { topic } = await fake.as(person('carol')).createTopic({
      title: 'Share the wheelbarrow',
      raw: 'One for all',
      categoryId: proposals.id,
    })
    const proposal = await proposalOfTopic(topic.id)
    const poll = await votePost(proposal)
    const votes = () => app.store.votes.list(communityId, proposal.id)
    const memberOf = async (name: string) =>
      (await app.store.members.findByAccount(communityId, 'discourse', String(person(name).id)))?.id
    const [dave, erin] = [await memberOf('dave'), await memberOf('erin')]
    fake.as(person('dave')).vote(poll, ['Yes'])
    fake.as(person('erin')).vote(poll, ['Yes'])
    fake.as(person('erin')).vote(poll, ['No'])
    assert.ok(await until(async () => (await votes()).length === 2), 'the poller read both votes')

    fake.as(person('dave')).vote(poll, []) // Dave takes his vote back on the forum.
    assert.ok(await until(async () => (await votes()).every((v) => v.memberId !== dave)), 'dave’s vote is withdrawn')
    assert.deepEqual(
      (await votes()).map((v) => ({ member: v.memberId, value: v.value })),
      [{ member: erin, value: false }],
      'erin’s vote, as she last chose, stays',
    )
    assert.equal(await status(proposal.id), 'proposed')
    fake.as(person('erin')).vote(poll, ['Yes']) // Erin changes her mind: her vote moves.
    assert.ok(
      await until(async () => (await votes()).some((v) => v.memberId === erin && v.value === true)),
      'erin’s vote moved to yes',
    )
    assert.equal(await status(proposal.id), 'proposed', 'one yes is not enough')

    // Voting again counts again: two yes votes decide it and the topic comes back.
    fake.as(person('dave')).vote(poll, ['Yes'])
    assert.ok(await until(async () => (await status(proposal.id)) === 'passed'), 'passed on two yes votes')
    assert.ok(await until(() => fake.forum.topic(topic.id)?.deletedAt === null, 5_000), 'the topic is back')
  })

  it('reads a poll again after the forum’s Retry-After when it answers 429', async () => {
    const { topic } = await fake.as(person('dave')).createTopic({
      title: 'Which hedge to plant',
      raw: 'Hawthorn or beech',
      categoryId: proposals.id,
    })
    const proposal = await proposalOfTopic(topic.id)
    const poll = await votePost(proposal)
    fake.rateLimitNext(1, 1)
    fake.as(person('bob')).vote(poll, ['Yes'])
    fake.as(person('erin')).vote(poll, ['Yes'])
    assert.ok(
      await until(async () => (await status(proposal.id)) === 'passed'),
      'the votes were read once the forum let PolicyKit in again',
    )
    assert.ok(await until(() => fake.forum.topic(topic.id)?.deletedAt === null))
  })

  it('signs a forum user in through the User API Key flow, and revokes the key after use', async () => {
    fake.browserUser = person('carol')
    const start = await app.server.inject({ method: 'GET', url: `/platforms/discourse/signin?forum=${fake.url}` })
    assert.equal(start.statusCode, 302, start.body)
    const toForum = new URL(String(start.headers.location))
    assert.equal(`${toForum.origin}${toForum.pathname}`, `${fake.url}/user-api-key/new`)
    assert.equal(toForum.searchParams.get('scopes'), 'session_info')
    assert.match(toForum.searchParams.get('public_key') ?? '', /BEGIN PUBLIC KEY/)
    const attempt = start.cookies.find((c) => c.name === 'pk_discourse_signin')
    assert.ok(attempt)
    const granted = await fetch(toForum, { redirect: 'manual' })
    const back = new URL(String(granted.headers.get('location')))
    assert.equal(back.pathname, '/platforms/discourse/signin/callback')

    // The forum's answer without the browser's attempt (another browser) signs nobody in.
    const stranger = await app.server.inject({ method: 'GET', url: `${back.pathname}${back.search}` })
    assert.equal(stranger.statusCode, 403)

    const done = await app.server.inject({
      method: 'GET',
      url: `${back.pathname}${back.search}`,
      cookies: { [attempt.name]: attempt.value },
    })
    assert.equal(done.statusCode, 302, done.body)
    assert.equal(done.headers.location, `/c/${communityId}`)
    const session = done.cookies.find((c) => c.name === sessionCookie)
    assert.ok(session, 'signed in')
    const me = await app.server.inject({
      method: 'GET',
      url: '/api/session',
      cookies: { [session.name]: session.value },
    })
    const carol = await app.store.members.findByAccount(communityId, 'discourse', String(person('carol').id))
    assert.ok(carol)
    assert.equal(me.statusCode, 200)
    assert.match(me.body, new RegExp(`"memberId":${carol.id}\\b`))
    assert.deepEqual(
      fake.forum.userApiKeys.map((k) => ({ userId: k.userId, revoked: k.revoked })),
      [{ userId: person('carol').id, revoked: true }],
    )

    // A payload replayed with a fresh attempt fails its nonce.
    const again = await app.server.inject({ method: 'GET', url: `/platforms/discourse/signin?forum=${fake.url}` })
    const fresh = again.cookies.find((c) => c.name === 'pk_discourse_signin')
    assert.ok(fresh)
    const replay = await app.server.inject({
      method: 'GET',
      url: `${back.pathname}${back.search}`,
      cookies: { [fresh.name]: fresh.value },
    })
    assert.equal(replay.statusCode, 403)
  })

  it('lets a topic outside the category stand, makes one action of a redelivery, and changes nothing for a forged webhook', async () => {
    const before = (await app.store.actions.list(communityId)).length
    const { topic, post } = await fake.as(person('dave')).createTopic({ title: 'Tool shed key', raw: 'Under the pot' })
    assert.equal(fake.forum.topic(topic.id)?.deletedAt, null)
    const created = fake.deliveries.filter((d) => d.event === 'post_created').at(-1)
    assert.ok(created)
    assert.equal((await fake.redeliver(created)).status, 200)
    assert.equal((await app.store.actions.list(communityId)).length, before + 1)
    const forged = await fake.deliver(
      'post_created',
      { post: { ...postHookJson(fake.forum, post), id: post.id + 1000 } },
      { badSignature: true },
    )
    assert.equal(forged.status, 401)
    assert.equal((await app.store.actions.list(communityId)).length, before + 1)
    assert.deepEqual(fake.violations, [])
  })

  it('deletes at once a reply by a member without permission to post', async () => {
    const role = (await app.store.roles.list(communityId)).find((r) => r.isDefault)
    assert.ok(role)
    const { topic } = await fake.as(person('bob')).createTopic({ title: 'Compost rota', raw: 'Who turns it?' })
    await app.store.roles.update(communityId, role.id, {
      permissions: role.permissions.filter((p) => !p.startsWith('propose')),
    })
    try {
      const reply = await fake.as(person('erin')).reply(topic, 'Not me')
      assert.notEqual(fake.forum.post(reply.id)?.deletedAt, null, 'deleted before the webhook was answered')
      assert.equal(fake.forum.topic(topic.id)?.deletedAt, null, 'the topic it was in stays')
    } finally {
      await app.store.roles.update(communityId, role.id, { permissions: role.permissions })
    }
  })
})
