import assert from 'node:assert/strict'
import { afterEach, describe, it } from 'node:test'
import { emptyBlocks } from '../../../src/domain/policy.ts'
import { signDiscourseBody } from '../../fakes/discourse/fake-discourse.ts'
import { postHookJson, userHookJson } from '../../fakes/discourse/shapes.ts'
import { testDialects } from '../../support/test-store.ts'
import { startListenRig, type ListenRig } from './listen-rig.ts'

/**
 * Discourse's webhook through the real server against the fake forum: members' topics and
 * replies governed (undone at once without permission), forged and unsigned deliveries refused,
 * a redelivery making one action, PolicyKit's own posts not governed.
 */
for (const dialect of testDialects()) {
  describe(`${dialect}: Discourse listening`, () => {
    let rig: ListenRig
    afterEach(() => rig.close())

    it('governs a member’s new topic as discourse.createTopic and lets it stand when they may', async () => {
      rig = await startListenRig(dialect, { memberPermissions: ['propose:*'] })
      const { topic, post } = await rig.fake.as(rig.ada).createTopic({ title: 'Compost rota', raw: 'Who turns it?' })
      assert.deepEqual(
        rig.fake.deliveries.map((d) => d.status),
        [200, 200],
      )
      const actions = await rig.actions()
      assert.equal(actions.length, 1)
      assert.equal(actions[0]?.type, 'discourse.createTopic')
      assert.deepEqual(actions[0]?.params, {
        title: 'Compost rota',
        raw: 'Who turns it?',
        category: 1,
        topicId: topic.id,
      })
      const [member] = await rig.store.members.list(rig.communityId)
      assert.equal(member?.username, 'ada')
      assert.equal(actions[0]?.initiatorId, member?.id)
      assert.equal(rig.fake.forum.topic(topic.id)?.deletedAt, null)
      const reply = await rig.fake.as(rig.ada).reply(topic, 'I will, on Mondays')
      const replyAction = (await rig.actions()).find((a) => a.type === 'discourse.createPost')
      assert.deepEqual(replyAction?.params, { topicId: topic.id, raw: 'I will, on Mondays', postId: reply.id })
      assert.ok(post)
    })

    it('deletes at once a topic and a reply by a member without permission', async () => {
      rig = await startListenRig(dialect, { memberPermissions: [] })
      const { topic } = await rig.fake.as(rig.ada).createTopic({ title: 'Spam spam spam', raw: 'Buy things' })
      assert.notEqual(rig.fake.forum.topic(topic.id)?.deletedAt, null, 'the topic is deleted on the forum')
      const open = rig.fake.forum.createTopic(rig.bot, { title: 'Open thread', raw: 'Anything goes' })
      const reply = await rig.fake.as(rig.ada).reply(open.topic, 'More spam')
      assert.notEqual(rig.fake.forum.post(reply.id)?.deletedAt, null, 'the reply is deleted on the forum')
      assert.equal(rig.fake.forum.topic(open.topic.id)?.deletedAt, null, 'the topic it was in stays')
    })

    it('governs a member’s edit as discourse.editPost: without permission the text before is restored, and that restoring edit is not governed', async () => {
      rig = await startListenRig(dialect, { memberPermissions: ['propose:discourse.createTopic'] })
      const { post } = await rig.fake.as(rig.ada).createTopic({ title: 'Bee hotel', raw: 'Drill holes in wood' })
      await rig.fake.as(rig.ada).edit(post, 'Drill holes in plastic')
      const edit = (await rig.actions()).find((a) => a.type === 'discourse.editPost')
      assert.deepEqual(edit?.params, { postId: post.id, raw: 'Drill holes in plastic', version: 2 })
      assert.equal(rig.fake.forum.post(post.id)?.revisions.at(-1), 'Drill holes in wood', 'the text before is back')
      // Discourse tells of PolicyKit's restoring edit too, naming the post's author.
      await rig.fake.deliver('post_edited', { post: postHookJson(rig.fake.forum, post) })
      assert.equal((await rig.actions()).filter((a) => a.type === 'discourse.editPost').length, 1)
      // The same member editing it again is governed again.
      await rig.fake.as(rig.ada).edit(post, 'Drill holes in plastic')
      assert.equal((await rig.actions()).filter((a) => a.type === 'discourse.editPost').length, 2)
    })

    it('refuses a forged or unsigned webhook with 401 and changes nothing', async () => {
      rig = await startListenRig(dialect, { memberPermissions: [] })
      const { topic, post } = rig.fake.forum.createTopic(rig.ada, { title: 'Forged topic', raw: 'Not really' })
      const payload = { post: postHookJson(rig.fake.forum, post) }
      const forged = await rig.fake.deliver('post_created', payload, { badSignature: true })
      const unsigned = await rig.fake.deliver('post_created', payload, { unsigned: true })
      assert.equal(forged.status, 401)
      assert.equal(unsigned.status, 401)
      assert.equal((await rig.actions()).length, 0)
      assert.equal(rig.fake.forum.topic(topic.id)?.deletedAt, null)
      assert.equal((await rig.fake.deliver('ping', { ping: 'OK' })).status, 200)
    })

    it('refuses a signed delivery nested too deep with 400, recording nothing', async () => {
      rig = await startListenRig(dialect, { memberPermissions: ['propose:*'] })
      const body = `{"post":{"deep":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`
      const hook = rig.fake.hook
      assert.ok(hook)
      const response = await fetch(hook.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-discourse-instance': rig.fake.url,
          'x-discourse-event-id': '7',
          'x-discourse-event': 'post_created',
          'x-discourse-event-signature': signDiscourseBody(hook.secret, body),
        },
        body,
      })
      assert.equal(response.status, 400)
      assert.match(await response.text(), /nested deeper than 64/)
      assert.deepEqual(await rig.actions(), [])
    })

    it('makes one action of a redelivered webhook', async () => {
      rig = await startListenRig(dialect, { memberPermissions: ['propose:*'] })
      await rig.fake.as(rig.ada).createTopic({ title: 'Seed swap day', raw: 'Bring seeds' })
      const created = rig.fake.deliveries.find((d) => d.event === 'post_created')
      assert.ok(created)
      assert.equal((await rig.fake.redeliver(created)).status, 200)
      assert.equal((await rig.actions()).length, 1)
    })

    it('offers each event to trigger policies as discourse.<event>, with its payload and author', async () => {
      rig = await startListenRig(dialect, { memberPermissions: ['propose:*'] })
      const policy = await rig.store.policies.create(
        rig.communityId,
        {
          name: 'on new topics',
          description: '',
          kind: 'trigger',
          actionTypes: ['discourse.topic_created'],
          priority: 0,
          variables: [],
          blocks: { ...emptyBlocks(), check: 'return PASSED' },
        },
        rig.clock.now(),
      )
      const { topic } = await rig.fake.as(rig.ada).createTopic({ title: 'Tomato blight', raw: 'Brown leaves' })
      await rig.fake.as(rig.bot).createTopic({ title: 'PolicyKit’s own topic', raw: 'No trigger' })
      const proposals = (await rig.store.proposals.list(rig.communityId)).filter((p) => p.policyId === policy.id)
      assert.equal(proposals.length, 1)
      const trigger = await rig.store.actions.get(rig.communityId, proposals[0]?.actionId ?? 0)
      assert.equal(trigger?.type, 'discourse.topic_created')
      assert.equal((trigger?.params['topic'] as { id: number }).id, topic.id)
      const ada = await rig.store.members.findByAccount(rig.communityId, 'discourse', String(rig.ada.id))
      assert.equal(trigger?.initiatorId, ada?.id)

      // A new forum user (user_created) reaches a trigger policy too, and becomes a member.
      const onUsers = await rig.store.policies.create(
        rig.communityId,
        {
          name: 'on new users',
          description: '',
          kind: 'trigger',
          actionTypes: ['discourse.user_created'],
          priority: 0,
          variables: [],
          blocks: { ...emptyBlocks(), check: 'return PASSED' },
        },
        rig.clock.now(),
      )
      const newcomer = rig.fake.forum.addUser({ username: 'newcomer' })
      assert.equal((await rig.fake.deliver('user_created', { user: userHookJson(newcomer) })).status, 200)
      const [joined] = (await rig.store.proposals.list(rig.communityId)).filter((p) => p.policyId === onUsers.id)
      const joinedAction = await rig.store.actions.get(rig.communityId, joined?.actionId ?? 0)
      assert.equal(joinedAction?.type, 'discourse.user_created')
      assert.equal((joinedAction?.params['user'] as { username: string }).username, 'newcomer')
      const member = await rig.store.members.findByAccount(rig.communityId, 'discourse', String(newcomer.id))
      assert.equal(joinedAction?.initiatorId, member?.id)
    })

    it('does not govern what PolicyKit’s own user posts', async () => {
      rig = await startListenRig(dialect, { memberPermissions: [] })
      const { topic } = await rig.fake.as(rig.bot).createTopic({ title: 'Vote: keep the rota?', raw: 'Vote below' })
      assert.equal((await rig.actions()).length, 0)
      assert.equal(rig.fake.forum.topic(topic.id)?.deletedAt, null)
      assert.equal((await rig.store.members.list(rig.communityId)).length, 0)
    })
  })
}
