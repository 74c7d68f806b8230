import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { PlatformDef } from '../../../src/platforms/platform.ts'
import { createRedditPlatform } from '../../../src/platforms/reddit/manifest.ts'
import type { Store } from '../../../src/store/store.ts'
import { connectFakeRedditDirectly, fakeRedditOptions } from '../../fakes/reddit/connect-directly.ts'
import { startFakeReddit, type FakeReddit } from '../../fakes/reddit/fake-reddit.ts'
import type { RedditUser, Subreddit } from '../../fakes/reddit/subreddit.ts'
import { platformAlone, type PlatformAlone } from '../../support/platform-alone.ts'
import { openTestStore } from '../../support/test-store.ts'

/** Reddit's moderation actions against the fake Reddit, called as the engine calls them. */
describe('Reddit moderation actions', () => {
  let store: Store
  let fake: FakeReddit
  let platform: PlatformDef
  let communityId: number
  let run: PlatformAlone['run']
  let mod: RedditUser
  let ada: RedditUser
  let subreddit: Subreddit

  before(async () => {
    store = await openTestStore('sqlite')
    fake = await startFakeReddit({})
    mod = fake.world.addUser('gardenmod')
    ada = fake.world.addUser('ada_grows')
    subreddit = fake.world.addSubreddit('gardening', [{ user: mod }])
    ;({ platform, communityId, run } = await platformAlone({
      store,
      name: 'reddit',
      now: () => Date.now(),
      create: (ports) => createRedditPlatform(fakeRedditOptions(fake), ports),
    }))
    await connectFakeRedditDirectly(store, fake, { communityId, moderator: mod, subreddit, now: Date.now() })
  })
  after(async () => {
    await fake.close()
    await store.close()
  })

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

  it('bans a user through /api/friend and unbans them through /api/unfriend to undo', async () => {
    const bob = fake.world.addUser('Bob_Spams')
    const result = await run('banUser', 'execute', { username: bob.name, reason: 'spam', note: 'seed ads', days: 3 })
    assert.deepEqual(result, { username: bob.name })
    assert.deepEqual(subreddit.banned.get(bob.name), { reason: 'spam', note: 'seed ads', duration: 3 })
    await run('banUser', 'revert', { username: bob.name, reason: 'spam', note: 'seed ads', days: 3 }, result)
    assert.equal(subreddit.banned.has(bob.name), false)

    // Without days the ban is for good; the mod log tells both, on the account, as Reddit's does.
    const forGood = await run('banUser', 'execute', { username: bob.name })
    assert.deepEqual(subreddit.banned.get(bob.name), { reason: '', note: '', duration: null })
    await run('banUser', 'revert', { username: bob.name }, forGood)
    assert.deepEqual(
      subreddit.log
        .filter((e) => e.targetAuthor === bob.name)
        .map((e) => [e.mod, e.action, e.targetFullname, e.details])
        .reverse(),
      [
        [mod.name, 'banuser', `t2_${bob.id36}`, '3 days'],
        [mod.name, 'unbanuser', `t2_${bob.id36}`, null],
        [mod.name, 'banuser', `t2_${bob.id36}`, 'permanent'],
        [mod.name, 'unbanuser', `t2_${bob.id36}`, null],
      ],
    )
  })

  it('reports a ban of an account Reddit does not know as an error, banning no one', async () => {
    await assert.rejects(run('banUser', 'execute', { username: 'no_such_gardener' }), /doesn.t exist|USER_DOESNT_EXIST/)
    assert.equal(subreddit.banned.size, 0)
  })

  it('refuses a lock of something that is not a post', async () => {
    const post = fake.as(ada).post(subreddit, { title: 'Tools', text: 'borrow?' })
    const comment = fake.as(ada).comment(post, 'mine')
    assert.throws(() => platform.actions['lockPost']?.params.parse({ post: comment.fullname }))
  })
})
