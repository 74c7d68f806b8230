import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { isAppError } from '../../../src/errors.ts'
import { createDiscoursePlatform } from '../../../src/platforms/discourse/manifest.ts'
import { discourseEcho } from '../../../src/platforms/discourse/echoes.ts'
import type { PlatformPorts } from '../../../src/platforms/platform-ports.ts'
import type { PlatformDef } from '../../../src/platforms/platform.ts'
import type { Store } from '../../../src/store/store.ts'
import { connectFakeDiscourseDirectly, testDiscourseOptions } from '../../fakes/discourse/connect-directly.ts'
import { startFakeDiscourse, type FakeDiscourse } from '../../fakes/discourse/fake-discourse.ts'
import type { ForumUser } from '../../fakes/discourse/forum.ts'
import { fakeClock } from '../../support/fake-clock.ts'
import { platformAlone, type PlatformAlone } from '../../support/platform-alone.ts'
import { openTestStore } from '../../support/test-store.ts'

/** Discourse's actions against the fake forum, called as the engine calls them. */
describe('Discourse actions', () => {
  let store: Store
  let fake: FakeDiscourse
  let platform: PlatformDef
  let communityId: number
  let ada: ForumUser
  let ports: PlatformPorts
  let run: PlatformAlone['run']
  const clock = fakeClock()

  before(async () => {
    store = await openTestStore('sqlite')
    fake = await startFakeDiscourse({ now: () => clock.now() })
    const bot = fake.forum.addUser({ username: 'policykit', admin: true })
    ada = fake.forum.addUser({ username: 'ada' })
    ;({ platform, ports, communityId, run } = await platformAlone({
      store,
      name: 'discourse',
      now: () => clock.now(),
      create: (platformPorts) => createDiscoursePlatform(testDiscourseOptions, platformPorts),
    }))
    await connectFakeDiscourseDirectly(store, fake, communityId, bot, clock.now())
  })
  after(async () => {
    await fake.close()
    await store.close()
  })

  it('recovers a topic seen on the forum instead of posting it again, and deletes it to undo', async () => {
    const { topic, post } = fake.forum.createTopic(ada, { title: 'Compost rota', raw: 'Who turns it?' })
    const params = { title: topic.title, raw: 'Who turns it?', topicId: topic.id }
    await run('createTopic', 'revert', params, { topicId: topic.id, postId: post.id })
    assert.notEqual(fake.forum.topic(topic.id)?.deletedAt, null)
    const before = fake.forum.topics.length
    assert.deepEqual(await run('createTopic', 'execute', params), { topicId: topic.id })
    assert.equal(fake.forum.topic(topic.id)?.deletedAt, null)
    assert.equal(fake.forum.topics.length, before, 'no second topic')
  })

  it('posts a topic and a reply proposed in PolicyKit as the connected user', async () => {
    const made = await run('createTopic', 'execute', { title: 'Seed swap day', raw: 'Bring seeds', category: 1 })
    const topic = fake.forum.topic(Number(made?.topicId))
    assert.equal(fake.forum.findUser(topic?.userId ?? 0)?.username, 'policykit')
    const reply = await run('createPost', 'execute', { topicId: topic?.id ?? 0, raw: 'And seedlings' })
    assert.equal(fake.forum.post(Number(reply?.postId))?.revisions[0], 'And seedlings')
    await run('createPost', 'revert', { topicId: topic?.id ?? 0, raw: 'And seedlings' }, reply)
    assert.notEqual(fake.forum.post(Number(reply?.postId))?.deletedAt, null)
  })

  it('closes a topic and opens it again to undo', async () => {
    const { topic } = fake.forum.createTopic(ada, { title: 'Heated thread', raw: 'Opinions' })
    const result = await run('closeTopic', 'execute', { topicId: topic.id })
    assert.equal(fake.forum.topic(topic.id)?.closed, true)
    await run('closeTopic', 'revert', { topicId: topic.id }, result)
    assert.equal(fake.forum.topic(topic.id)?.closed, false)
  })

  it('sends a private message to the named users', async () => {
    const sent = await run('sendPrivateMessage', 'execute', { title: 'About your post', raw: 'Hello', users: ['ada'] })
    const topic = fake.forum.topic(Number(sent?.topicId))
    assert.equal(topic?.archetype, 'private_message')
    assert.deepEqual(topic?.recipients, ['ada'])
  })

  it('undoes a member’s edit by restoring the text from the post’s revisions, and edits it again to carry it out', async () => {
    const { topic } = fake.forum.createTopic(ada, { title: 'Planting plan', raw: 'Beans in row one' })
    const reply = fake.forum.reply(ada, topic, 'Peas in row two')
    fake.forum.edit(reply, 'Peas in row three')
    const params = { postId: reply.id, raw: 'Peas in row three', version: 2 }
    await run('editPost', 'revert', params, { postId: reply.id, version: 2 })
    assert.deepEqual(fake.forum.post(reply.id)?.revisions, ['Peas in row two', 'Peas in row three', 'Peas in row two'])
    assert.deepEqual(await run('editPost', 'execute', params), { postId: reply.id, version: 4 })
    assert.equal(fake.forum.post(reply.id)?.revisions.at(-1), 'Peas in row three')
    // Each of PolicyKit's edits waits for its post_edited, known by the text it wrote.
    assert.equal(await ports.echoes.take(communityId, discourseEcho.edit(reply.id, 'Peas in row two')), true)
    assert.equal(await ports.echoes.take(communityId, discourseEcho.edit(reply.id, 'Peas in row three')), true)
    assert.equal(await ports.echoes.take(communityId, discourseEcho.edit(reply.id, 'Peas in row three')), false)
  })

  it('moves a topic to another category and back to undo', async () => {
    const garden = fake.forum.addCategory('Garden')
    const { topic } = fake.forum.createTopic(ada, { title: 'Where do tools go', raw: 'The shed?' })
    const result = await run('moveTopic', 'execute', { topicId: topic.id, category: garden.id })
    assert.deepEqual(result, { topicId: topic.id, previousCategory: 1 })
    assert.equal(fake.forum.topic(topic.id)?.categoryId, garden.id)
    await run('moveTopic', 'revert', { topicId: topic.id, category: garden.id }, result)
    assert.equal(fake.forum.topic(topic.id)?.categoryId, 1)
  })

  it('suspends a forum user until a date and lifts it to undo', async () => {
    const params = { userId: ada.id, until: '2030-01-31', reason: 'Spam' }
    const result = await run('suspendUser', 'execute', params)
    assert.equal(fake.forum.findUser(ada.id)?.suspendedTill, '2030-01-31T00:00:00.000Z')
    await run('suspendUser', 'revert', params, result)
    assert.equal(fake.forum.findUser(ada.id)?.suspendedTill, null)
    assert.throws(() => platform.actions.suspendUser?.params.parse({ ...params, until: 'soon' }))
  })

  it('turns a 429 into platform_unavailable with the forum’s Retry-After, for the durable queue', async () => {
    fake.rateLimitNext(1, 7)
    await assert.rejects(
      run('closeTopic', 'execute', { topicId: 1 }),
      (e) => isAppError(e, 'platform_unavailable') && e.retryAfterMs === 7000,
    )
  })

  it('checks a connection with the forum: a wrong key is a conflict saying what to do', async () => {
    const check = platform.connect?.check
    assert.ok(check)
    const integration = (await store.integrations.list(communityId))[0]
    assert.ok(integration)
    await check({ url: fake.url, apiKey: fake.apiKey, apiUsername: 'policykit' }, integration)
    await assert.rejects(
      check({ url: fake.url, apiKey: 'wrong', apiUsername: 'policykit' }, integration),
      (e) => isAppError(e, 'conflict') && /admin API key/.test(e.message),
    )
    assert.deepEqual(fake.violations, [])
  })
})
