import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { enginePlatforms } from '../../src/app.ts'
import { createPlatformPorts, type EngineRef } from '../../src/create-platform-ports.ts'
import type { Action } from '../../src/domain/action.ts'
import type { JsonObject } from '../../src/domain/json.ts'
import { createEngine } from '../../src/engine/engine.ts'
import { silentLogger } from '../../src/engine/logger.ts'
import { PlatformAccess } from '../../src/engine/platform-access.ts'
import type { PlatformContext, PlatformDef, WebhookRequest } from '../../src/platforms/platform.ts'
import { platformModules } from '../../src/platforms/registry.ts'
import { createQuickJsSandbox } from '../../src/sandbox/quickjs-sandbox.ts'
import type { Sandbox } from '../../src/sandbox/sandbox.ts'
import type { Store } from '../../src/store/store.ts'
import { connectFakeDiscordDirectly } from '../fakes/discord/connect-directly.ts'
import { fakeDiscordOptions } from '../fakes/discord/fake-discord-options.ts'
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord/fake-discord.ts'
import {
  connectFakeDiscourseDirectly,
  testDiscourseOptions,
  testDiscourseWebhookKey,
} from '../fakes/discourse/connect-directly.ts'
import { postHookJson } from '../fakes/discourse/shapes.ts'
import { signDiscourseBody, startFakeDiscourse, type FakeDiscourse } from '../fakes/discourse/fake-discourse.ts'
import { discourseWebhookSecret } from '../../src/platforms/discourse/webhook-secret.ts'
import { connectFakeRedditDirectly, fakeRedditOptions } from '../fakes/reddit/connect-directly.ts'
import { startFakeReddit, type FakeReddit } from '../fakes/reddit/fake-reddit.ts'
import { connectFakeSlackDirectly } from '../fakes/slack/connect-directly.ts'
import { fakeSlackOptions } from '../fakes/slack/fake-slack-options.ts'
import { startFakeSlack, type FakeSlack } from '../fakes/slack/fake-slack.ts'
import { signSlackRequest } from '../fakes/slack/signing.ts'
import { derivePlatformKey } from '../../src/derive-platform-key.ts'
import { CallbackUrls } from '../../src/platforms/metagov/callback-urls.ts'
import { connectFakeGatewayDirectly } from '../fakes/metagov/connect-directly.ts'
import { startFakeGateway, type FakeGateway } from '../fakes/metagov/fake-gateway.ts'
import { fakeClock, type FakeClock } from '../support/fake-clock.ts'
import { testPlatform } from '../support/test-platform.ts'
import { openTestStore, testSecretKey } from '../support/test-store.ts'

/**
 * The contract every platform keeps, checked over each one the registry lists (with its fake),
 * the built-in constitution and the engine tests' platform: its names, that each action's params
 * and result schemas hold for what it does, that `revert` accepts what `execute` returned, that
 * its webhooks refuse bad signatures and stale timestamps, and that a redelivered webhook does
 * nothing twice. A platform added to the registry without a subject here fails the first test.
 */
interface Subject {
  platform: PlatformDef
  /** Params for every action PolicyKit can carry out (one that has `execute`). */
  samples: Record<string, JsonObject>
  context(): Promise<PlatformContext>
  actionRow(type: string, params: JsonObject): Promise<Action>
  /** A request signed as the platform signs its webhooks at `atMs`, for `path`. */
  sign?: (path: string, body: string, atMs: number) => WebhookRequest
  /**
   * The platform signs no time (Discourse signs the body alone): a stale delivery cannot be told
   * by its signature, and a replay is held off by the delivery ledger instead.
   */
  untimed?: true
  /**
   * The platform signs nothing (Metagov): a secret in the URL proves the caller, so the body is
   * not covered; `forge` gives the request with a wrong secret.
   */
  unsignedBody?: true
  forge?: (request: WebhookRequest) => WebhookRequest
  /** A webhook delivery that makes one action, and how many actions there are. */
  delivery?(): { path: string; body: string; deliveryId: string }
  actionCount(): Promise<number>
  now(): number
}

interface World {
  store: Store
  sandbox: Sandbox
  clock: FakeClock
  fake: FakeSlack
  discord: FakeDiscord
  forum: FakeDiscourse
  gateway: FakeGateway
  reddit: FakeReddit
  subjects: Subject[]
}

async function startWorld(): Promise<World> {
  const store = await openTestStore('sqlite')
  const sandbox = await createQuickJsSandbox({ poolSize: 1 })
  const clock = fakeClock()
  const fake = await startFakeSlack({ now: () => clock.now() })
  const admin = fake.addUser({ name: 'root', admin: true })
  const ada = fake.addUser({ name: 'ada', realName: 'Ada Lovelace' })
  const bob = fake.addUser({ name: 'bob' })
  const carol = fake.addUser({ name: 'carol' })
  const channel = fake.addChannel({ name: 'garden', members: [admin, ada, bob] })
  const pinned = await fake.as(ada).postMessage(channel, 'pin me')
  const discordFake = await startFakeDiscord({ now: () => clock.now() })
  const grace = discordFake.addMember({ name: 'grace', globalName: 'Grace Hopper' })
  const gardener = discordFake.addRole({ name: 'gardener', permissions: 0n })
  const discordPinned = discordFake.as(discordFake.owner).post(discordFake.general, 'pin me')
  const forum = await startFakeDiscourse({ now: () => clock.now() })
  const forumBot = forum.forum.addUser({ username: 'policykit', admin: true })
  const forumAda = forum.forum.addUser({ username: 'ada', name: 'Ada Lovelace' })
  const { topic: forumTopic, post: forumPost } = forum.forum.createTopic(forumAda, {
    title: 'Seed swap day',
    raw: 'Bring seeds',
  })
  const forumGarden = forum.forum.addCategory('Garden')
  const gateway = await startFakeGateway({ now: () => clock.now() })
  const redditFake = await startFakeReddit({ now: () => clock.now() })
  const redditMod = redditFake.world.addUser('gardenmod')
  const redditAda = redditFake.world.addUser('ada_grows')
  const subreddit = redditFake.world.addSubreddit('gardening', [{ user: redditMod }])
  const redditPost = redditFake.as(redditAda).post(subreddit, { title: 'Tomatoes', text: 'Too many' })

  const engineRef: EngineRef = { current: null }
  const test = testPlatform()
  const registered = await enginePlatforms({
    store,
    sandbox,
    settings: {
      slack: fakeSlackOptions(fake),
      discord: fakeDiscordOptions(discordFake),
      discourse: testDiscourseOptions,
      metagov: { url: gateway.url },
      reddit: fakeRedditOptions(redditFake),
    },
    engine: engineRef,
    clock,
    logger: silentLogger,
    secretKey: testSecretKey,
  })
  const platforms = [...registered, test.platform]
  engineRef.current = createEngine({ store, sandbox, platforms, clock })
  const access = new PlatformAccess({ store, platforms, fetch, logger: silentLogger, now: () => clock.now() })
  const { id: communityId } = await store.communities.create({ name: 'Gardeners', now: clock.now() })
  await connectFakeSlackDirectly(store, fake, communityId, admin, clock.now())
  await connectFakeDiscordDirectly(store, discordFake, communityId, discordFake.owner, clock.now())
  await connectFakeDiscourseDirectly(store, forum, communityId, forumBot, clock.now())
  const gatewayCommunity = await connectFakeGatewayDirectly(store, gateway, communityId, clock.now(), [
    { name: 'randomness', config: { default_low: 0, default_high: 10 } },
  ])
  const metagovUrls = new CallbackUrls(derivePlatformKey(testSecretKey, 'metagov callbacks'), 'http://localhost:3000')
  await connectFakeRedditDirectly(store, redditFake, { communityId, moderator: redditMod, subreddit, now: clock.now() })

  const byName = (name: string) => {
    const found = platforms.find((p) => p.name === name)
    assert.ok(found, `no platform ${name}`)
    return found
  }
  const base = (platform: PlatformDef) => ({
    platform,
    context: () => access.context(communityId, platform),
    async actionRow(type: string, params: JsonObject) {
      const { action } = await store.actions.create(communityId, {
        kind: platform.kind ?? 'platform',
        type,
        origin: 'policykit',
        initiatorId: null,
        params,
        now: clock.now(),
      })
      return action
    },
    actionCount: async () => (await store.actions.list(communityId)).length,
    now: () => clock.now(),
  })

  const slack: Subject = {
    ...base(byName('slack')),
    samples: {
      postMessage: { channel: channel.id, text: 'hello garden' },
      renameConversation: { channel: channel.id, name: 'seedlings' },
      joinConversation: { channel: channel.id, user: carol.id },
      pinMessage: { channel: channel.id, ts: pinned.message.ts },
      kickConversation: { channel: channel.id, user: bob.id },
      scheduleMessage: { channel: channel.id, text: 'later', postAt: Math.floor(clock.now() / 1000) + 3600 },
    },
    sign: (_path, body, atMs) => {
      const timestamp = Math.floor(atMs / 1000)
      return {
        headers: {
          'x-slack-request-timestamp': String(timestamp),
          'x-slack-signature': signSlackRequest(fake.signingSecret, timestamp, body),
        },
        body,
      }
    },
    delivery: () => ({
      path: '/events',
      deliveryId: 'Ev0CONTRACT1',
      body: JSON.stringify({
        type: 'event_callback',
        team_id: fake.workspace.team.id,
        event_id: 'Ev0CONTRACT1',
        event: {
          type: 'message',
          user: ada.id,
          text: 'once only',
          channel: channel.id,
          channel_type: 'channel',
          ts: '1767225600.000100',
        },
      }),
    }),
  }
  const discord: Subject = {
    ...base(byName('discord')),
    samples: {
      postMessage: { channel: discordFake.general.id, text: 'hello garden' },
      renameChannel: { channel: discordFake.general.id, name: 'seedlings' },
      pinMessage: { channel: discordFake.general.id, message: discordPinned.id },
      createChannel: { name: 'greenhouse' },
      kickMember: { user: grace.user.id },
      addRole: { user: discordFake.owner.user.id, role: gardener.id },
      removeRole: { user: discordFake.owner.user.id, role: gardener.id },
      sendDirectMessage: { user: discordFake.owner.user.id, text: 'psst' },
    },
    sign: (_path, body, atMs) => discordFake.signInteraction(body, atMs),
  }
  const discourseBody = JSON.stringify({
    post: postHookJson(forum.forum, forum.forum.reply(forumAda, forumTopic, 'once only')),
  })
  const discourse: Subject = {
    ...base(byName('discourse')),
    samples: {
      createTopic: { title: 'Compost rota', raw: 'Who turns the heap?' },
      createPost: { topicId: forumTopic.id, raw: 'Me, on Mondays' },
      closeTopic: { topicId: forumTopic.id },
      openTopic: { topicId: forumTopic.id },
      sendPrivateMessage: { title: 'A word in private', raw: 'Hello Ada', users: [forumAda.username] },
      editPost: { postId: forumPost.id, raw: 'Bring seeds and cuttings' },
      moveTopic: { topicId: forumTopic.id, category: forumGarden.id },
      suspendUser: { userId: forumAda.id, until: '2030-01-31', reason: 'A test' },
    },
    untimed: true,
    sign: (_path, body) => ({
      headers: {
        'x-discourse-instance': forum.url,
        'x-discourse-event': 'post_created',
        'x-discourse-event-id': '41',
        'x-discourse-event-signature': signDiscourseBody(
          discourseWebhookSecret(testDiscourseWebhookKey, forum.url),
          body,
        ),
      },
      body,
    }),
    delivery: () => ({ path: '/webhook', deliveryId: '41', body: discourseBody }),
  }
  const metagov: Subject = {
    ...base(byName('metagov')),
    samples: { configure: { digest: gatewayCommunity.digest, enable: ['randomness'], update: [], disable: [] } },
    untimed: true,
    unsignedBody: true,
    sign: (path, body): WebhookRequest => {
      const url = path.startsWith('/events') ? metagovUrls.eventReceiver() : metagovUrls.processCallback(communityId, 1)
      const [secret = '', proposal = '', community = ''] = url.split('/').reverse()
      const params: Record<string, string> = path.startsWith('/events') ? { secret } : { secret, proposal, community }
      return { headers: {}, body, params }
    },
    forge: (request) => ({ ...request, params: { ...request.params, secret: 'forged' } }),
  }
  const reddit: Subject = {
    ...base(byName('reddit')),
    samples: {
      submitPost: { title: 'Seed swap', text: 'Saturday' },
      postComment: { parent: redditPost.fullname, text: 'Give them away' },
      lockPost: { post: redditPost.fullname },
      removeItem: { item: redditPost.fullname },
      approveItem: { item: redditPost.fullname },
      banUser: { username: redditAda.name, reason: 'spam', days: 3 },
      sendMessage: { to: redditAda.name, subject: 'Hello', text: 'Welcome' },
    },
  }
  const constitution: Subject = { ...base(byName('constitution')), samples: {} }
  const testSubject: Subject = {
    ...base(test.platform),
    samples: { post: { text: 'hi', channel: 'general' }, rename: { channel: 'general', name: 'lobby' } },
  }
  return {
    store,
    sandbox,
    clock,
    fake,
    discord: discordFake,
    forum,
    gateway,
    reddit: redditFake,
    subjects: [slack, discord, discourse, reddit, metagov, constitution, testSubject],
  }
}

const sixMinutes = 6 * 60_000

describe('the platform contract', () => {
  let world: World
  before(async () => {
    world = await startWorld()
  })
  after(async () => {
    await world.fake.close()
    await world.discord.close()
    await world.forum.close()
    await world.gateway.close()
    await world.reddit.close()
    await world.sandbox.close()
    await world.store.close()
  })

  it('covers every registered platform', () => {
    const covered = new Set(world.subjects.map((s) => s.platform.name))
    for (const module of platformModules) {
      assert.ok(covered.has(module.name), `${module.name} is registered but has no subject in the contract test`)
    }
  })

  it('gives every platform a unique name and its actions and triggers camelCase or event names', () => {
    const names = world.subjects.map((s) => s.platform.name)
    assert.equal(new Set(names).size, names.length)
    for (const { platform } of world.subjects) {
      assert.match(platform.name, /^[a-z][a-z0-9]*$/)
      for (const name of Object.keys(platform.actions)) {
        assert.match(name, /^[a-z][A-Za-z0-9]*$/, `${platform.name}.${name}`)
      }
      for (const name of Object.keys(platform.triggers ?? {})) {
        // Event names as the platform spells them: Slack's `pin_added`, Discord's `MESSAGE_CREATE`.
        assert.match(name, /^[a-z][a-z0-9_]*$|^[a-z][A-Za-z0-9]*$|^[A-Z][A-Z0-9_]*$/, `${platform.name}.${name}`)
      }
    }
  })

  it('documents every policy function it gives policy code, and none it does not', () => {
    for (const { platform } of world.subjects) {
      const functions = Object.keys(platform.functions ?? {}).sort()
      if (platform.name === 'test' || functions.length === 0) {
        continue
      }
      assert.ok(platform.policyDocs, `${platform.name} has policy functions but no policyDocs`)
      assert.deepEqual(Object.keys(platform.policyDocs.functions).sort(), functions, platform.name)
      for (const [name, doc] of Object.entries(platform.policyDocs.functions)) {
        assert.ok(doc.signature.startsWith('(') && doc.doc.length > 0, `${platform.name}.${name}`)
      }
    }
  })

  it('declares a result schema for every action it can both carry out and undo', () => {
    for (const { platform } of world.subjects) {
      for (const [name, def] of Object.entries(platform.actions)) {
        if (def.execute && def.revert && platform.name !== 'test') {
          assert.ok(def.result, `${platform.name}.${name} can be undone but does not say what execute returns`)
        }
      }
    }
  })

  it('executes each action from params its schema accepts, returns what its result schema accepts, and reverts it', async () => {
    for (const subject of world.subjects) {
      const { platform } = subject
      if (platform.kind === 'constitution') {
        // Its actions change PolicyKit itself and cannot be undone (test/platforms/constitution).
        assert.ok(Object.values(platform.actions).every((def) => def.revert === undefined))
        continue
      }
      for (const [name, def] of Object.entries(platform.actions)) {
        if (!def.execute) {
          continue
        }
        const sample = subject.samples[name]
        assert.ok(sample, `no sample params for ${platform.name}.${name}`)
        const params = def.params.safeParse(sample)
        assert.ok(params.success, `${platform.name}.${name}: ${params.error?.message}`)
        const action = await subject.actionRow(`${platform.name}.${name}`, params.data)
        // A first attempt, with the key the engine would hand it.
        const attempt = (op: string) => ({ idempotencyKey: `${platform.name}:${action.id}:${op}`, retry: false })
        const result =
          (await def.execute({ ...(await subject.context()), ...attempt('execute') }, params.data, action)) ?? null
        if (def.result) {
          const checked = def.result.safeParse(result)
          assert.ok(checked.success, `${platform.name}.${name} returned ${JSON.stringify(result)}`)
        }
        await def.revert?.({ ...(await subject.context()), ...attempt('revert') }, params.data, result, {
          ...action,
          result,
        })
      }
    }
  })

  it('refuses webhooks with a bad signature, a stale or future timestamp, or none', async () => {
    for (const subject of world.subjects) {
      for (const webhook of subject.platform.webhooks ?? []) {
        assert.ok(subject.sign, `${subject.platform.name} has webhooks but its subject cannot sign`)
        const now = subject.now()
        const body = '{"type":"url_verification","challenge":"c"}'
        const good = subject.sign(webhook.path, body, now)
        assert.equal(webhook.verify(good, now), true, `${webhook.path}: a good signature`)
        if (!subject.unsignedBody) {
          assert.equal(webhook.verify({ ...good, body: `${body} ` }, now), false, `${webhook.path}: altered body`)
        }
        const forged = subject.sign(webhook.path, body, now)
        const headers = Object.fromEntries(
          Object.entries(forged.headers).map(([k, v]) => [
            k,
            typeof v === 'string' && /signature/.test(k) ? `${v.slice(0, -1)}${v.endsWith('0') ? '1' : '0'}` : v,
          ]),
        )
        const forgedRequest = subject.forge ? subject.forge(forged) : { headers, body }
        assert.equal(webhook.verify(forgedRequest, now), false, `${webhook.path}: forged signature`)
        if (!subject.untimed) {
          assert.equal(webhook.verify(subject.sign(webhook.path, body, now - sixMinutes), now), false, 'stale')
          assert.equal(webhook.verify(subject.sign(webhook.path, body, now + sixMinutes), now), false, 'future')
        }
        assert.equal(webhook.verify({ headers: {}, body }, now), false, 'unsigned')
      }
    }
  })

  it('does nothing twice for a webhook delivered again', async () => {
    for (const subject of world.subjects) {
      if (!subject.delivery || !subject.sign) {
        continue
      }
      const { path, body, deliveryId } = subject.delivery()
      const webhook = subject.platform.webhooks?.find((w) => w.path === path)
      assert.ok(webhook)
      const before = await subject.actionCount()
      for (let i = 0; i < 2; i++) {
        const request: WebhookRequest = subject.sign(path, body, subject.now())
        assert.equal(webhook.verify(request, subject.now()), true)
        const receipt = await webhook.receive(request)
        await receipt.handle?.()
      }
      assert.equal((await subject.actionCount()) - before, 1, `${subject.platform.name}: one action for two deliveries`)
      const ledger = createPlatformPorts({
        platform: subject.platform.name,
        store: world.store,
        engine: { current: null },
        logger: silentLogger,
        now: () => subject.now(),
      }).deliveries
      const [community] = await world.store.communities.listAll()
      assert.ok(community)
      assert.equal(await ledger.claim(community.id, deliveryId), 'done', 'the ledger holds the delivery as done')
    }
  })
})
