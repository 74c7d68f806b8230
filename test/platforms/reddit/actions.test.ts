import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createPlatformPorts } from '../../../src/create-platform-ports.ts'
import type { JsonObject } from '../../../src/domain/json.ts'
import { silentLogger } from '../../../src/engine/logger.ts'
import { PlatformAccess } from '../../../src/engine/platform-access.ts'
import type { PlatformDef } from '../../../src/platforms/platform.ts'
import { createRedditPlatform } from '../../../src/platforms/reddit/manifest.ts'
import type { Store } from '../../../src/store/store.ts'
import { connectFakeRedditDirectly, fakeRedditOptions } from '../../fakes/reddit/connect-directly.ts'
import { startFakeReddit, type FakeReddit } from '../../fakes/reddit/fake-reddit.ts'
import type { RedditUser, Subreddit } from '../../fakes/reddit/subreddit.ts'
import { openTestStore } from '../../support/test-store.ts'

/** Reddit's moderation actions against the fake Reddit, called as the engine calls them. */
describe('Reddit moderation actions', () => {
  let store: Store
  let fake: FakeReddit
  let platform: PlatformDef
  let access: PlatformAccess
  let communityId: number
  let mod: RedditUser
  let ada: RedditUser
  let subreddit: Subreddit

  before(async () => {
    store = await openTestStore('sqlite')
    fake = await startFakeReddit({})
    mod = fake.world.addUser('gardenmod')
    ada = fake.world.addUser('ada_grows')
    subreddit = fake.world.addSubreddit('gardening', [{ user: mod }])
    const ports = createPlatformPorts({
      platform: 'reddit',
      store,
      engine: { current: null },
      logger: silentLogger,
      now: () => Date.now(),
    })
    platform = createRedditPlatform(fakeRedditOptions(fake), ports)
    access = new PlatformAccess({ store, platforms: [platform], fetch, logger: silentLogger, now: () => Date.now() })
    communityId = (await store.communities.create({ name: 'Gardeners', now: Date.now() })).id
    await connectFakeRedditDirectly(store, fake, { communityId, moderator: mod, subreddit, now: Date.now() })
  })
  after(async () => {
    await fake.close()
    await store.close()
  })

  /** Runs the action's execute (its result) or, given that result, its revert. */
  const run = async (
    name: string,
    step: 'execute' | 'revert',
    params: JsonObject,
    result: JsonObject | null = null,
  ) => {
    const def = platform.actions[name]
    assert.ok(def)
    const { action } = await store.actions.create(communityId, {
      kind: 'platform',
      type: `reddit.${name}`,
      origin: 'policykit',
      initiatorId: null,
      params,
      now: Date.now(),
    })
    const ctx = await access.context(communityId, platform)
    const attempt = { ...ctx, idempotencyKey: `reddit:${action.id}:${step}`, retry: false }
    const parsed = def.params.parse(params)
    if (step === 'execute') {
      return (await def.execute?.(attempt, parsed, action)) ?? null
    }
    await def.revert?.(attempt, parsed, result, action)
    return null
  }

  it('locks a post and unlocks it to undo', async () => {
    const post = fake.as(ada).post(subreddit, { title: 'Heated', text: 'opinions' })
    const result = await run('lockPost', 'execute', { post: post.fullname })
    assert.deepEqual(result, { post: post.fullname })
    assert.equal(post.locked, true)
    await run('lockPost', 'revert', { post: post.fullname }, result)
    assert.equal(post.locked, false)
  })

  it('removes a comment and approves it to undo; approves a post and removes it to undo', async () => {
    const post = fake.as(ada).post(subreddit, { title: 'Seeds', text: 'swap?' })
    const comment = fake.as(ada).comment(post, 'buy my seeds')
    const removed = await run('removeItem', 'execute', { item: comment.fullname })
    assert.equal(comment.removedBy, mod.name)
    await run('removeItem', 'revert', { item: comment.fullname }, removed)
    assert.equal(comment.approvedBy, mod.name)
    assert.equal(comment.removedBy, null)

    const approved = await run('approveItem', 'execute', { item: post.fullname })
    assert.equal(post.approvedBy, mod.name)
    await run('approveItem', 'revert', { item: post.fullname }, approved)
    assert.equal(post.removedBy, mod.name)
    // Each was done once, as the mod log shows (newest first there).
    const mine = new Set([post.fullname, comment.fullname])
    assert.deepEqual(
      subreddit.log
        .filter((e) => e.targetFullname !== null && mine.has(e.targetFullname))
        .map((e) => [e.action, e.targetFullname])
        .reverse(),
      [
        ['removecomment', comment.fullname],
        ['approvecomment', comment.fullname],
        ['approvelink', post.fullname],
        ['removelink', post.fullname],
      ],
    )
  })

  it('refuses a lock of something that is not a post', async () => {
    const post = fake.as(ada).post(subreddit, { title: 'Tools', text: 'borrow?' })
    const comment = fake.as(ada).comment(post, 'mine')
    assert.throws(() => platform.actions['lockPost']?.params.parse({ post: comment.fullname }))
  })
})
