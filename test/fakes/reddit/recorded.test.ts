import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import { startFakeReddit, type FakeReddit } from './fake-reddit.ts'
import type { RedditComment, RedditPost, RedditUser, Subreddit } from './subreddit.ts'

/**
 * The fake against reddit.com: each recorded exchange PolicyKit's Reddit integration makes (PRAW's
 * cassettes, trimmed, in test/fixtures/reddit/recorded.json) is made again against the fake, and
 * the answers compared by shape: the same status, every field the fake sends is one Reddit sends
 * with the same JSON type, and Listings hold children of the same kinds, compared field by field.
 */

interface Exchange {
  exchange: string
  method: string
  uri: string
  body: string | null
  status: number
  rateHeaders: Record<string, string>
  response: unknown
}

const recorded = (
  JSON.parse(readFileSync(new URL('../../fixtures/reddit/recorded.json', import.meta.url), 'utf8')) as {
    exchanges: Exchange[]
  }
).exchanges

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v)

/** Reddit's `edited` is false, or the time of the edit. */
const either = new Set(['edited'])

/** Where the fake's answer differs in shape from Reddit's (empty: none). */
export function shapeDifferences(real: unknown, fake: unknown, path = '$'): string[] {
  if (real === null || fake === null) {
    return []
  }
  const realType = typeOf(real)
  const fakeType = typeOf(fake)
  const key = path.split('.').pop() ?? ''
  if (realType !== fakeType) {
    return either.has(key) && ['boolean', 'number'].includes(realType) && ['boolean', 'number'].includes(fakeType)
      ? []
      : [`${path}: Reddit sends ${realType}, the fake ${fakeType}`]
  }
  if (Array.isArray(real) && Array.isArray(fake)) {
    const reals: unknown[] = real
    const fakes: unknown[] = fake
    // Listing children: each child of the fake is compared with a real one of the same kind.
    const kindOf = (c: unknown) => (typeof c === 'object' && c !== null && 'kind' in c ? String(c.kind) : null)
    return fakes.flatMap((child, i) => {
      // The same place if it holds the same kind, else any of that kind; none of it: nothing to compare.
      const same = reals[i] !== undefined && kindOf(reals[i]) === kindOf(child) ? reals[i] : undefined
      const match = same ?? reals.find((r) => kindOf(r) === kindOf(child))
      return match === undefined ? [] : shapeDifferences(match, child, `${path}[${i}]`)
    })
  }
  if (realType === 'object') {
    const r = real as Record<string, unknown>
    const f = fake as Record<string, unknown>
    return Object.keys(f).flatMap((k) =>
      k in r ? shapeDifferences(r[k], f[k], `${path}.${k}`) : [`${path}.${k}: Reddit sends no such field`],
    )
  }
  return []
}

describe('the fake Reddit answers as reddit.com did', () => {
  let fake: FakeReddit
  let mod: RedditUser
  let ada: RedditUser
  let subreddit: Subreddit
  let post: RedditPost
  let comment: RedditComment
  let token: string

  before(async () => {
    fake = await startFakeReddit()
    mod = fake.world.addUser('gardenmod')
    ada = fake.world.addUser('ada_grows')
    subreddit = fake.world.addSubreddit('gardening', [{ user: mod }])
    post = fake.as(ada).post(subreddit, { title: 'Tomatoes', text: 'Too many' })
    comment = fake.as(ada).comment(post, 'Give some away')
    fake.as(ada).comment(comment, 'Or make sauce')
    fake.world.logAction(subreddit, mod.name, 'removelink', post)
    fake.as(ada).post(subreddit, { title: 'Weeds', text: 'help', filtered: true })
    token = fake.issueTokens(mod, '*').accessToken
  })
  after(async () => {
    await fake.close()
  })

  const call = async (method: string, path: string, params: Record<string, string>) => {
    const url = new URL(`${fake.url}${path}`)
    const init: RequestInit = { method, headers: { authorization: `bearer ${token}` } }
    if (method === 'GET') {
      for (const [k, v] of Object.entries(params)) {
        url.searchParams.set(k, v)
      }
    } else {
      init.body = new URLSearchParams({ api_type: 'json', ...params }).toString()
    }
    const response = await fetch(url, init)
    return { status: response.status, headers: response.headers, json: (await response.json()) as Json }
  }

  /** The fake's side of each recorded exchange, on the fake's own subreddit and things. */
  const replays: Record<string, () => Promise<{ status: number; headers?: Headers; json: Json }>> = {
    'TestAuthWeb.test_authorize#0': async () => {
      fake.authorizeAs = mod
      const redirectUri = 'http://localhost:8080'
      const authorize = await fetch(
        `${fake.url}/api/v1/authorize?${new URLSearchParams({ client_id: fake.clientId, response_type: 'code', state: 's', redirect_uri: redirectUri, duration: 'permanent', scope: 'submit' })}`,
        { redirect: 'manual' },
      )
      const code = new URL(authorize.headers.get('location') ?? '').searchParams.get('code') ?? ''
      const response = await fetch(`${fake.url}/api/v1/access_token`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${fake.clientId}:${fake.clientSecret}`).toString('base64')}` },
        body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri }).toString(),
      })
      return { status: response.status, json: (await response.json()) as Json }
    },
    'TestUser.test_me#1': () => call('GET', '/api/v1/me', {}),
    'TestSubreddit.test_submit__selftext#1': () =>
      call('POST', '/api/submit', { kind: 'self', title: 'Test Title', text: 'Test text.', sr: subreddit.name }),
    'TestSubreddit.test_submit__selftext#2': () => call('GET', `/comments/${post.id36}`, { sort: 'confidence' }),
    'TestSubmission.test_reply#1': () => call('POST', '/api/comment', { thing_id: post.fullname, text: 'Test reply' }),
    'TestComment.test_reply#1': () =>
      call('POST', '/api/comment', { thing_id: comment.fullname, text: 'Comment reply' }),
    'TestSubmissionModeration.test_approve#1': () => call('POST', '/api/approve', { id: post.fullname }),
    'TestSubmissionModeration.test_remove#1': () => call('POST', '/api/remove', { id: post.fullname, spam: 'True' }),
    'TestCommentModeration.test_approve#1': () => call('POST', '/api/approve', { id: comment.fullname }),
    'TestCommentModeration.test_remove#1': () => call('POST', '/api/remove', { id: comment.fullname, spam: 'True' }),
    'TestSubmission.test_delete#1': async () => {
      const own = fake.as(mod).post(subreddit, { title: 'Mine', text: 'to delete' })
      return call('POST', '/api/del', { id: own.fullname })
    },
    'TestReddit.test_info#1': () => call('GET', '/api/info', { id: [comment.fullname, post.fullname].join(',') }),
    'TestRedditor.test_message#1': () => call('GET', `/user/${ada.name}/about`, {}),
    'TestRedditor.test_message#2': () => call('POST', '/api/compose', { to: ada.name, subject: 'Hi', text: 'Hello' }),
    'TestSubredditRelationships.test_moderator#2': () => call('GET', `/r/${subreddit.name}/about/moderators`, {}),
    'TestSubredditModeration.test_modqueue#1': () =>
      call('GET', `/r/${subreddit.name}/about/modqueue`, { limit: '100' }),
    'TestSubredditModeration.test_log#1': () => call('GET', `/r/${subreddit.name}/about/log`, { limit: '100' }),
    'TestSubredditStreams.test_comments#1': () => call('GET', `/r/${subreddit.name}/comments`, { limit: '100' }),
    'TestSubredditStreams.test_comments#2': async () => {
      const newest = fake.world.comments(subreddit)[0]
      return call('GET', `/r/${subreddit.name}/comments`, { limit: '100', before: newest?.fullname ?? '' })
    },
    'TestSubredditStreams.test_submissions#1': () => call('GET', `/r/${subreddit.name}/new`, { limit: '100' }),
  }

  it('has a replay for every recorded exchange kept for it', () => {
    assert.deepEqual(
      recorded.map((e) => e.exchange).filter((name) => !(name in replays)),
      [],
    )
  })

  for (const exchange of recorded) {
    it(`answers ${exchange.method} ${new URL(exchange.uri).pathname} as ${exchange.exchange} shows`, async () => {
      const replay = replays[exchange.exchange]
      assert.ok(replay)
      const answer = await replay()
      assert.equal(answer.status, exchange.status)
      assert.deepEqual(shapeDifferences(exchange.response, answer.json), [])
      if (typeOf(exchange.response) === 'object' && typeOf(answer.json) === 'object') {
        // The envelope's fields are all there (a Listing's, a `json` answer's), not only allowed.
        const real = exchange.response as Record<string, unknown>
        assert.deepEqual(Object.keys(answer.json as object).sort(), Object.keys(real).sort())
      }
      for (const header of Object.keys(exchange.rateHeaders)) {
        assert.ok(answer.headers === undefined || answer.headers.get(header) !== null, `${header} sent`)
      }
    })
  }

  it('finds a difference when there is one (the comparison can fail)', () => {
    assert.notDeepEqual(shapeDifferences({ a: 1, b: 'x' }, { a: 'one', c: true }), [])
  })
})
