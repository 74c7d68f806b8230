import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { redditModScopes } from '../../../src/platforms/reddit/connect/scopes.ts'
import { accountId } from '../../../src/platforms/reddit/listen/poller.ts'
import { sessionCookie } from '../../../src/server/auth/session.ts'
import { fakeRedditOptions } from '../../fakes/reddit/connect-directly.ts'
import { startFakeReddit, type FakeReddit } from '../../fakes/reddit/fake-reddit.ts'
import type { RedditUser, Subreddit } from '../../fakes/reddit/subreddit.ts'
import {
  setCookie,
  startTestServer,
  testPublicUrl,
  toTestResponse,
  type TestClient,
  type TestResponse,
  type TestServer,
} from '../../support/server-harness.ts'

interface ErrorBody {
  error: { code: string; message: string }
}

const callbackUrl = `${testPublicUrl}/platforms/reddit/oauth/callback`
const pickCookie = 'pk_reddit_pick'
const signInCookie = 'pk_reddit_signin'

/**
 * Connecting a subreddit (OAuth against the fake Reddit, picking one of the subreddits the
 * moderator moderates with the permissions PolicyKit needs) and Sign in with Reddit, through the
 * real server's routes under `/platforms/reddit`.
 */
describe('connecting Reddit and signing in with it', () => {
  let fake: FakeReddit
  let s: TestServer
  let mod: RedditUser
  let gardening: Subreddit

  before(async () => {
    fake = await startFakeReddit({})
    mod = fake.world.addUser('gardenmod')
    gardening = fake.world.addSubreddit('gardening', [{ user: mod }, { user: fake.world.addUser('co_mod') }])
    fake.world.addSubreddit('herbs', [{ user: mod, permissions: ['posts', 'access', 'mail', 'wiki'] }])
    fake.world.addSubreddit('flowers', [{ user: mod, permissions: ['wiki', 'flair'] }])
    s = await startTestServer({ kit: 'testing', platformSettings: { reddit: fakeRedditOptions(fake) } })
  })
  after(async () => {
    await s.close()
    await fake.close()
  })

  /** A GET in a browser that holds `as`'s dashboard session (or none) and the cookies (`name=value`) given. */
  async function visit(url: string, as: TestClient | null, cookies: string[] = []): Promise<TestResponse<unknown>> {
    const all = [...(as ? [`${sessionCookie}=${as.session.cookie}`] : []), ...cookies]
    const res = await s.app.inject({ method: 'GET', url, headers: all.length > 0 ? { cookie: all.join('; ') } : {} })
    return toTestResponse(res)
  }

  /** The fake Reddit's authorize page, approved as `user`: the callback path PolicyKit is sent back to. */
  async function approve(authorizeUrl: string, user: RedditUser): Promise<string> {
    fake.authorizeAs = user
    const res = await fetch(authorizeUrl, { redirect: 'manual' })
    assert.equal(res.status, 302, await res.text())
    const back = new URL(String(res.headers.get('location')))
    assert.equal(`${back.origin}${back.pathname}`, callbackUrl)
    return `${back.pathname}${back.search}`
  }

  const install = (query: Record<string, string> = {}) =>
    `/platforms/reddit/install?${new URLSearchParams({ community: String(s.communityId), ...query })}`

  it('sends a manager to Reddit for a permanent grant of the moderator scopes, and refuses anyone else', async () => {
    const start = await visit(install(), s.admin)
    assert.equal(start.status, 302, start.text)
    const url = new URL(String(start.headers['location']))
    assert.equal(`${url.origin}${url.pathname}`, `${fake.url}/api/v1/authorize`)
    assert.equal(url.searchParams.get('client_id'), fake.clientId)
    assert.equal(url.searchParams.get('response_type'), 'code')
    assert.equal(url.searchParams.get('duration'), 'permanent')
    assert.deepEqual(url.searchParams.get('scope')?.split(' '), [...redditModScopes])
    assert.equal(url.searchParams.get('redirect_uri'), callbackUrl)
    assert.ok((url.searchParams.get('state') ?? '').length > 20)

    const anonymous = await visit(install(), null)
    assert.equal(anonymous.status, 401)
    const role = await s.store.roles.getByName(s.communityId, 'Member')
    assert.ok(role)
    await s.store.roles.update(s.communityId, role.id, {
      permissions: role.permissions.filter((p) => p !== 'manage_integrations'),
    })
    const bob = await s.member('bob')
    const refused = await visit(install(), bob)
    assert.equal(refused.status, 403)
    assert.match((refused.json as ErrorBody).error.message, /needs the manage_integrations permission/)
  })

  it('refuses a forged state, a state from another session and an expired one, storing nothing', async () => {
    const start = await visit(install(), s.admin)
    const callback = await approve(String(start.headers['location']), mod)
    const forged = callback.replace(/state=[^&]+/, 'state=forged')
    assert.equal((await visit(forged, s.admin)).status, 403)
    const other = await s.member('carol', { roles: ['Admin'] })
    const elsewhere = await visit(callback, other)
    assert.equal(elsewhere.status, 403)
    assert.match((elsewhere.json as ErrorBody).error.message, /not started in this session/)

    const later = await visit(install(), s.admin)
    const late = await approve(String(later.headers['location']), mod)
    await s.clock.advance(11 * 60_000)
    assert.equal((await visit(late, s.admin)).status, 403)
    assert.deepEqual(await s.store.integrations.list(s.communityId), [])
  })

  it('offers only the subreddits where the moderator holds the permissions needed, and connects the one picked', async () => {
    const start = await visit(install(), s.admin)
    const callback = await approve(String(start.headers['location']), mod)
    const page = await visit(callback, s.admin)
    assert.equal(page.status, 200, page.text)
    assert.match(String(page.headers['content-type']), /text\/html/)
    const offered = [...page.text.matchAll(/>r\/(\w+)</g)].map((m) => m[1])
    assert.deepEqual(offered.sort(), ['gardening', 'herbs'], 'not r/flowers: wiki and flair only')
    assert.deepEqual(await s.store.integrations.list(s.communityId), [], 'nothing connected before the pick')

    const picked = await visit(install({ subreddit: 'gardening' }), s.admin)
    assert.equal(picked.status, 302)
    const pick = setCookie(picked.headers, pickCookie)
    assert.ok(pick, 'the pick is kept for the callback')
    const back = await approve(String(picked.headers['location']), mod)
    const done = await visit(back, s.admin, [pick])
    assert.equal(done.status, 302, done.text)
    assert.equal(done.headers['location'], `/c/${s.communityId}/settings?connected=reddit&activation=active`)

    const [integration] = await s.store.integrations.list(s.communityId)
    assert.equal(integration?.externalId, `t5_${gardening.id36}`)
    assert.equal(integration?.active, true)
    assert.deepEqual(integration?.config, { subreddit: 'gardening', moderator: 'gardenmod' })
    const added = (await s.store.actions.list(s.communityId)).find((a) => a.type === 'constitution.addIntegration')
    assert.equal(added?.params['integrationId'], integration?.id, 'switched on through the constitution')
    assert.equal(added?.initiatorId, s.admin.memberId)
    const credentials = integration ? await s.store.integrations.getCredentials(s.communityId, integration.id) : {}
    assert.equal(credentials['username'], 'gardenmod')
    assert.ok(typeof credentials['refreshToken'] === 'string' && credentials['refreshToken'] !== '-')
    // The subreddit's moderators are members; the installer's account is linked to the admin.
    const coMod = await s.store.members.findByAccount(s.communityId, 'reddit', accountId('co_mod'))
    assert.ok(coMod)
    const installer = await s.store.members.findByAccount(s.communityId, 'reddit', accountId('gardenmod'))
    assert.equal(installer?.id, s.admin.memberId)
  })

  it('says which subreddits lack permissions when none can be connected', async () => {
    const wikiMod = fake.world.addUser('wiki_only')
    fake.world.addSubreddit('trees', [{ user: wikiMod, permissions: ['wiki'] }])
    const start = await visit(install(), s.admin)
    const refused = await visit(await approve(String(start.headers['location']), wikiMod), s.admin)
    assert.equal(refused.status, 403)
    assert.match(
      (refused.json as ErrorBody).error.message,
      /u\/wiki_only moderates no subreddit with the permissions PolicyKit needs .*r\/trees: not all of posts, access and mail/,
    )
    assert.equal((await s.store.integrations.list(s.communityId)).length, 1)
  })

  it('signs a Reddit user in as the member their account is linked to, only in the browser that started it', async () => {
    const start = await visit('/platforms/reddit/signin', null)
    assert.equal(start.status, 302)
    const url = new URL(String(start.headers['location']))
    assert.equal(url.searchParams.get('scope'), 'identity')
    assert.equal(url.searchParams.get('duration'), 'temporary')
    const attempt = setCookie(start.headers, signInCookie)
    assert.ok(attempt)
    const callback = await approve(url.href, fake.world.user('co_mod') as RedditUser)

    const stranger = await visit(callback, null)
    assert.equal(stranger.status, 403, 'another browser')
    const done = await visit(callback, null, [attempt])
    assert.equal(done.status, 302, done.text)
    assert.equal(done.headers['location'], `/c/${s.communityId}`)
    const session = setCookie(done.headers, sessionCookie)
    assert.ok(session, 'signed in')
    const me = await s.app.inject({ method: 'GET', url: '/api/session', headers: { cookie: session } })
    const coMod = await s.store.members.findByAccount(s.communityId, 'reddit', accountId('co_mod'))
    assert.ok(coMod)
    assert.match(me.body, new RegExp(`"memberId":${coMod.id}\\b`))

    // Someone Reddit knows but no community does is told so, and not signed in.
    const again = await visit('/platforms/reddit/signin', null)
    const nobody = await visit(await approve(String(again.headers['location']), fake.world.addUser('lurker')), null, [
      setCookie(again.headers, signInCookie) ?? '',
    ])
    assert.equal(nobody.status, 404)
    assert.match((nobody.json as ErrorBody).error.message, /u\/lurker is not a member/)
    assert.equal(setCookie(nobody.headers, sessionCookie), undefined)
  })
})
