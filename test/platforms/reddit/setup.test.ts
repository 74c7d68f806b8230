import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startFakeReddit, type FakeReddit } from '../../fakes/reddit/fake-reddit.ts'
import type { RedditUser, Subreddit } from '../../fakes/reddit/subreddit.ts'
import { redditCredentials } from '../../../src/platforms/reddit/credentials.ts'
import { fakeClock } from '../../support/fake-clock.ts'
import { freePort } from '../../support/free-port.ts'
import { assertFounded, startFreshApp, type FreshApp } from '../../support/fresh-app.ts'
import { setCookie, type TestResponse } from '../../support/server-harness.ts'

interface ErrorBody {
  error: { code: string; message: string }
}

const setupCookie = 'pk_reddit_setup'

describe('setting PolicyKit up with Reddit (first run, democracy kit)', () => {
  let t: FreshApp
  let fake: FakeReddit
  let mod: RedditUser
  let helper: RedditUser
  let gardening: Subreddit

  before(async () => {
    const clock = fakeClock()
    const port = await freePort()
    fake = await startFakeReddit({ ratePerWindow: 10_000 })
    t = await startFreshApp({
      port,
      clock,
      env: {
        REDDIT_CLIENT_ID: fake.clientId,
        REDDIT_CLIENT_SECRET: fake.clientSecret,
        REDDIT_USER_AGENT: 'test:policykit:1.0 (by /u/policykit_tests)',
        REDDIT_OAUTH_URL: fake.url,
        REDDIT_API_URL: fake.url,
        REDDIT_POLL_INTERVAL_MS: '1000',
      },
    })
    mod = fake.world.addUser('gardenmod')
    helper = fake.world.addUser('weed_helper')
    gardening = fake.world.addSubreddit('gardening', [{ user: mod }, { user: helper, permissions: ['wiki', 'flair'] }])
    fake.world.addSubreddit('compost', [{ user: mod, permissions: ['posts', 'access', 'mail'] }])
  })
  after(async () => {
    await t.close()
    await fake.close()
  })

  const start = (query: { token?: string; kit?: string; subreddit?: string }, cookie?: string, accept?: string) =>
    t.visit(
      `/platforms/reddit/install?${new URLSearchParams({
        setup: query.token ?? t.setupToken,
        ...(query.kit !== undefined && { kit: query.kit }),
        ...(query.subreddit !== undefined && { subreddit: query.subreddit }),
      })}`,
      cookie,
      accept === undefined ? {} : { accept },
    )

  /** The browser at Reddit's authorize page, approving as `user`: where Reddit sends it back. */
  async function approve(res: TestResponse<unknown>, user: RedditUser): Promise<string> {
    assert.equal(res.status, 302, res.text)
    fake.authorizeAs = user
    const page = await fetch(String(res.headers['location']), { redirect: 'manual' })
    return String(page.headers.get('location'))
  }

  it('offers Reddit on the set-up status', async () => {
    assert.deepEqual((await t.setupStatus()).platforms, [
      {
        platform: 'reddit',
        title: 'Reddit',
        setupPath: '/platforms/reddit/install',
        place: 'subreddit',
        who: 'a moderator of the subreddit with the posts, access and mail permissions (or all)',
        how: 'Authorize PolicyKit on Reddit and pick one of the subreddits you moderate',
      },
    ])
  })

  it('refuses a wrong set-up token before going to Reddit, with a page for a browser', async () => {
    const page = await start({ token: 'guessed', kit: 'democracy' }, undefined, 'text/html')
    assert.equal(page.status, 403)
    assert.equal(page.headers['location'], undefined)
    assert.equal(setCookie(page.headers, setupCookie), undefined)
    assert.match(page.text, /PolicyKit could not be set up with Reddit/)
    assert.match(page.text, /This set-up link is not valid/)
    assert.deepEqual(fake.authorizedScopes, [])
  })

  it('refuses a callback in another browser, and a moderator without the permissions PolicyKit needs', async () => {
    const first = await start({ kit: 'democracy' })
    const callback = await approve(first, mod)
    assert.match(new URL(callback).searchParams.get('state') ?? '', /^setup\./)
    assert.ok(!callback.includes(t.setupToken), 'the set-up token is not sent to Reddit')
    const bare = await t.visit(callback)
    assert.equal(bare.status, 403)
    assert.match((bare.json as ErrorBody).error.message, /not started in this browser/)

    const second = await start({ kit: 'democracy' })
    const res = await t.visit(await approve(second, helper), setCookie(second.headers, setupCookie))
    assert.equal(res.status, 403)
    assert.match((res.json as ErrorBody).error.message, /u\/weed_helper moderates no subreddit with the permissions/)
    assert.deepEqual(await t.app.store.communities.listAll(), [])
    assert.equal((await t.setupStatus()).needed, true)
  })

  it('has a moderator of several subreddits pick one, then founds the community from it', async () => {
    const first = await start({ kit: 'democracy' })
    const pick = await t.visit(await approve(first, mod), setCookie(first.headers, setupCookie))
    assert.equal(pick.status, 200, pick.text)
    assert.match(pick.text, /Which subreddit should PolicyKit govern\?/)
    const links = [...pick.text.matchAll(/href="([^"]+)"/g)].map((m) => (m[1] ?? '').replaceAll('&#38;', '&'))
    assert.equal(links.length, 2, 'both subreddits where gardenmod holds the permissions')
    assert.deepEqual(await t.app.store.communities.listAll(), [])

    const chosen = links.find((l) => l.includes('subreddit=gardening'))
    assert.ok(chosen)
    const again = await t.visit(chosen)
    const res = await t.visit(await approve(again, mod), setCookie(again.headers, setupCookie))
    assert.equal(res.status, 302, res.text)
    const subredditFullname = `t5_${gardening.id36}`
    const { community, founder } = await assertFounded(t, res, {
      name: 'r/gardening',
      kit: 'democracy',
      platform: 'reddit',
      founderAccount: 'gardenmod',
      externalId: subredditFullname,
    })
    assert.equal(founder.username, 'gardenmod')
    const { store } = t.app
    const [integration] = await store.integrations.list(community.id)
    assert.ok(integration)
    assert.deepEqual(integration.config, { subreddit: 'gardening', moderator: 'gardenmod' })
    const credentials = redditCredentials.parse(await store.integrations.getCredentials(community.id, integration.id))
    assert.equal(credentials.username, 'gardenmod')
    assert.notEqual(credentials.refreshToken, '-', 'a permanent grant')
    assert.deepEqual(fake.authorizedScopes.at(-1)?.split(' ').includes('modposts'), true)
    // The subreddit's moderators are members.
    assert.ok(await store.members.findByAccount(community.id, 'reddit', 'weed_helper'))

    // A second set-up is refused.
    assert.equal((await start({ kit: 'democracy' })).status, 403)
    assert.equal((await store.communities.listAll()).length, 1)
  })
})
