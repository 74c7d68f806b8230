import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { listenLocally } from '../../support/listen-locally.ts'
import { commentJson, listingJson, meJson, modActionJson, postJson, subredditJson, userJson } from './shapes.ts'
import {
  RedditWorld,
  type RedditComment,
  type RedditPost,
  type RedditThing,
  type RedditUser,
  type Subreddit,
} from './subreddit.ts'

/**
 * A fake Reddit on a real HTTP port: the OAuth host (`/api/v1/authorize`, `/api/v1/access_token`
 * with HTTP Basic) and the API host (bearer tokens) on one server, so both base URLs point at it.
 * It answers in the recorded exchanges' shapes (`recorded.test.ts`), counts every API call in a
 * rate-limit window and sends `X-Ratelimit-*` with each answer, answers 401 to an expired token
 * and 429 when the budget is spent or on demand. A driver makes simulated users post, comment,
 * edit and delete on the site.
 */

export interface FakeRedditCall {
  method: string
  path: string
  /** Query (GET) or form (POST) parameters. */
  params: Record<string, string>
  user: string | null
  status: number
  /** When the answer went (ms, the fake's clock). */
  at: number
}

export interface FakeRedditOptions {
  now?: () => number
  clientId?: string
  clientSecret?: string
  /** Requests a client may make in one window (Reddit: 100 a minute). */
  ratePerWindow?: number
  windowMs?: number
  /** Lifetime of an access token (Reddit: one hour). */
  tokenLifetimeSeconds?: number
}

export interface RedditActor {
  /** `filtered`: held by the spam filter (it shows in the mod queue). */
  post(subreddit: Subreddit, input: { title: string; text: string; flair?: string; filtered?: boolean }): RedditPost
  comment(parent: RedditThing, text: string): RedditComment
  edit(thing: RedditThing, text: string): void
  delete(thing: RedditThing): void
}

export interface FakeReddit {
  url: string
  world: RedditWorld
  clientId: string
  clientSecret: string
  calls: FakeRedditCall[]
  /** Who approves the next authorize page (the browser's signed-in Reddit user). */
  authorizeAs: RedditUser | null
  /** The scopes each authorize asked for, in order. */
  authorizedScopes: string[]
  /** The next `count` API calls answer 429. */
  rateLimitNext(count: number): void
  /** Every access token given so far expires now: the next call with one answers 401. */
  expireTokens(): void
  /** Token grants by type (`authorization_code`, `refresh_token`). */
  grants: string[]
  /** An access token for `user` (as if they had authorized), with a refresh token. */
  issueTokens(user: RedditUser, scope: string): { accessToken: string; refreshToken: string; expiresAt: number }
  as(user: RedditUser): RedditActor
  close(): Promise<void>
}

interface Token {
  user: string
  scope: string
  expiresAt: number
}

class HttpError extends Error {
  readonly status: number
  readonly body: unknown
  constructor(status: number, body: unknown) {
    super(`HTTP ${status}`)
    this.status = status
    this.body = body
  }
}

const forbidden = () => new HttpError(403, { message: 'Forbidden', error: 403 })
const notFound = () => new HttpError(404, { message: 'Not Found', error: 404 })
const ok = { json: { errors: [] as unknown[] } }
const jsonError = (code: string, message: string, field: string | null) => ({
  json: { errors: [[code, message, field]] },
})

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of request) {
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

export async function startFakeReddit(options: FakeRedditOptions = {}): Promise<FakeReddit> {
  const now = options.now ?? Date.now
  const clientId = options.clientId ?? 'fake-client-id'
  const clientSecret = options.clientSecret ?? 'fake-client-secret'
  const ratePerWindow = options.ratePerWindow ?? 100
  const windowMs = options.windowMs ?? 60_000
  const lifetime = options.tokenLifetimeSeconds ?? 3600
  const world = new RedditWorld(now)
  const tokens = new Map<string, Token>()
  const refreshTokens = new Map<string, { user: string; scope: string }>()
  const codes = new Map<string, { user: string; scope: string; redirectUri: string }>()
  const calls: FakeRedditCall[] = []
  const grants: string[] = []
  let forced429 = 0
  let window = { start: now(), used: 0 }

  const newToken = (user: string, scope: string) => {
    const accessToken = randomBytes(12).toString('hex')
    const expiresAt = now() + lifetime * 1000
    tokens.set(accessToken, { user, scope, expiresAt })
    return { accessToken, expiresAt }
  }

  const fake: FakeReddit = {
    url: '',
    world,
    clientId,
    clientSecret,
    calls,
    grants,
    authorizeAs: null,
    authorizedScopes: [],
    rateLimitNext(count) {
      forced429 += count
    },
    expireTokens() {
      for (const token of tokens.values()) {
        token.expiresAt = Math.min(token.expiresAt, now() - 1)
      }
    },
    issueTokens(user, scope) {
      const refreshToken = randomBytes(12).toString('hex')
      refreshTokens.set(refreshToken, { user: user.name, scope })
      return { ...newToken(user.name, scope), refreshToken }
    },
    as: (user) => ({
      post(subreddit, input) {
        const post = world.submit(subreddit, user.name, input)
        post.filtered = input.filtered === true
        return post
      },
      comment(parent, text) {
        return world.comment(parent, user.name, text)
      },
      edit(thing, text) {
        world.edit(thing, text)
      },
      delete(thing) {
        world.delete(thing)
      },
    }),
    close: async () => {},
  }

  function tokenEndpoint(request: IncomingMessage, form: URLSearchParams): unknown {
    const basic = /^Basic (.+)$/.exec(request.headers.authorization ?? '')
    const [id, secret] = Buffer.from(basic?.[1] ?? '', 'base64')
      .toString('utf8')
      .split(':')
    if (id !== clientId || secret !== clientSecret) {
      throw new HttpError(401, { message: 'Unauthorized', error: 401 })
    }
    const grantType = form.get('grant_type') ?? ''
    grants.push(grantType)
    if (grantType === 'authorization_code') {
      const code = codes.get(form.get('code') ?? '')
      if (!code || code.redirectUri !== form.get('redirect_uri')) {
        return { error: 'invalid_grant' }
      }
      codes.delete(form.get('code') ?? '')
      const refreshToken = randomBytes(12).toString('hex')
      refreshTokens.set(refreshToken, { user: code.user, scope: code.scope })
      const { accessToken } = newToken(code.user, code.scope)
      return {
        access_token: accessToken,
        token_type: 'bearer',
        expires_in: lifetime,
        refresh_token: refreshToken,
        scope: code.scope,
      }
    }
    if (grantType === 'refresh_token') {
      const known = refreshTokens.get(form.get('refresh_token') ?? '')
      if (!known) {
        return { error: 'invalid_grant' }
      }
      const { accessToken } = newToken(known.user, known.scope)
      return { access_token: accessToken, token_type: 'bearer', expires_in: lifetime, scope: known.scope }
    }
    return { error: 'unsupported_grant_type' }
  }

  function authorize(url: URL, response: ServerResponse): void {
    const redirectUri = url.searchParams.get('redirect_uri') ?? ''
    const state = url.searchParams.get('state') ?? ''
    const user = fake.authorizeAs
    if (url.searchParams.get('client_id') !== clientId || user === null) {
      response.writeHead(400).end('bad authorize request')
      return
    }
    const scope = (url.searchParams.get('scope') ?? '').split(/[ ,]+/).filter(Boolean).join(' ')
    fake.authorizedScopes.push(scope)
    const code = randomBytes(8).toString('hex')
    codes.set(code, { user: user.name, scope, redirectUri })
    const back = new URL(redirectUri)
    back.searchParams.set('state', state)
    back.searchParams.set('code', code)
    response.writeHead(302, { location: back.href }).end()
  }

  const subredditOf = (name: string | undefined): Subreddit => {
    const subreddit = name === undefined ? undefined : world.subreddit(name)
    if (!subreddit) {
      throw notFound()
    }
    return subreddit
  }

  const thingOf = (fullname: string | undefined): RedditThing => {
    const thing = fullname === undefined ? undefined : world.things.get(fullname)
    if (!thing) {
      throw notFound()
    }
    return thing
  }

  const requireMod = (subreddit: Subreddit, user: string, permission: string) => {
    if (!world.mayModerate(subreddit, user, permission)) {
      throw forbidden()
    }
  }

  const thingJson = (thing: RedditThing, viewer: string, inListing = false): unknown => {
    const subreddit = subredditOf(thing.subreddit)
    if (thing.kind === 't3') {
      const count = world.comments(subreddit).filter((c) => c.linkId === thing.fullname).length
      return postJson(thing, subreddit, viewer, count, inListing)
    }
    const post = world.things.get(thing.linkId)
    return commentJson(thing, subreddit, viewer, post?.kind === 't3' ? post : undefined, inListing)
  }

  /** A post page's comment tree: each comment with its replies as a Listing. */
  const tree = (parent: string, comments: RedditComment[], viewer: string): unknown[] =>
    comments
      .filter((c) => c.parentId === parent)
      .map((c) => {
        const replies = tree(c.fullname, comments, viewer)
        const subreddit = subredditOf(c.subreddit)
        const post = world.things.get(c.linkId)
        return commentJson(
          c,
          subreddit,
          viewer,
          post?.kind === 't3' ? post : undefined,
          false,
          replies.length > 0 ? listingJson(replies, null, null) : '',
        )
      })

  /** One page of a listing (newest first) with Reddit's `before`/`after`/`limit`. */
  const page = (items: RedditThing[], params: URLSearchParams, viewer: string) => {
    const limit = Math.min(100, Math.max(1, Number(params.get('limit') ?? 25) || 25))
    const before = params.get('before')
    const after = params.get('after')
    let slice: RedditThing[]
    let more: { older: boolean; newer: boolean }
    if (before) {
      const at = items.findIndex((t) => t.fullname === before)
      if (at < 0) {
        return listingJson([], null, null)
      }
      const start = Math.max(0, at - limit)
      slice = items.slice(start, at)
      more = { older: true, newer: start > 0 }
    } else if (after) {
      const at = items.findIndex((t) => t.fullname === after)
      if (at < 0) {
        return listingJson([], null, null)
      }
      slice = items.slice(at + 1, at + 1 + limit)
      more = { older: at + 1 + limit < items.length, newer: true }
    } else {
      slice = items.slice(0, limit)
      more = { older: limit < items.length, newer: false }
    }
    const first = slice[0]
    const last = slice[slice.length - 1]
    return listingJson(
      slice.map((t) => thingJson(t, viewer, true)),
      more.older && last ? last.fullname : null,
      more.newer && first && (before || after) ? first.fullname : null,
    )
  }

  const visible = (t: RedditThing) => !t.deleted

  function api(method: string, path: string, params: URLSearchParams, user: string): unknown {
    const me = world.user(user)
    if (!me) {
      throw forbidden()
    }
    let match: RegExpExecArray | null
    if (method === 'GET' && path === '/api/v1/me') {
      return meJson(me)
    }
    if (method === 'GET' && path === '/subreddits/mine/moderator') {
      const mine = [...world.subreddits.values()].filter((s) => s.moderators.has(user))
      return listingJson(
        mine.map((s) => subredditJson(s, user)),
        null,
        null,
      )
    }
    if (method === 'GET' && (match = /^\/r\/([^/]+)\/about\/moderators$/.exec(path))) {
      const subreddit = subredditOf(match[1])
      return {
        kind: 'UserList',
        data: {
          children: [...subreddit.moderators].map(([name, permissions]) => ({
            date: 1_400_000_000,
            mod_permissions: permissions,
            name,
            id: `t2_${world.user(name)?.id36 ?? ''}`,
          })),
        },
      }
    }
    if (method === 'GET' && (match = /^\/r\/([^/]+)\/(new|comments|about\/modqueue|about\/log)$/.exec(path))) {
      const subreddit = subredditOf(match[1])
      const what = match[2]
      if (what === 'new') {
        return page(world.posts(subreddit).filter(visible), params, user)
      }
      if (what === 'comments') {
        return page(world.comments(subreddit).filter(visible), params, user)
      }
      requireMod(subreddit, user, 'posts')
      if (what === 'about/modqueue') {
        return page(
          world.listing(subreddit, (t) => visible(t) && t.filtered && t.removedBy === null && t.approvedBy === null),
          params,
          user,
        )
      }
      const limit = Math.min(100, Number(params.get('limit') ?? 25) || 25)
      return listingJson(
        subreddit.log.slice(0, limit).map((a) => modActionJson(a, subreddit)),
        null,
        null,
      )
    }
    if (method === 'GET' && (match = /^\/comments\/([a-z0-9]+)$/.exec(path))) {
      const post = thingOf(`t3_${match[1]}`)
      const subreddit = subredditOf(post.subreddit)
      const comments = world
        .comments(subreddit)
        .filter((c) => c.linkId === post.fullname)
        .reverse()
      return [
        listingJson([thingJson(post, user)], null, null),
        listingJson(tree(post.fullname, comments, user), null, null),
      ]
    }
    if (method === 'GET' && path === '/api/info') {
      const ids = (params.get('id') ?? '').split(',').filter(Boolean).slice(0, 100)
      const found = ids.flatMap((id) => {
        const thing = world.things.get(id)
        return thing ? [thingJson(thing, user)] : []
      })
      return listingJson(found, null, null)
    }
    if (method === 'GET' && (match = /^\/user\/([^/]+)\/about$/.exec(path))) {
      const found = world.user(match[1] ?? '')
      if (!found) {
        throw notFound()
      }
      return userJson(found)
    }
    if (method !== 'POST') {
      throw notFound()
    }
    if (path === '/api/submit') {
      const subreddit = subredditOf(params.get('sr') ?? undefined)
      if (subreddit.banned.has(user)) {
        return jsonError('SUBREDDIT_NOTALLOWED', 'you aren’t allowed to post there.', 'sr')
      }
      const title = params.get('title') ?? ''
      if (title === '') {
        return jsonError('NO_TEXT', 'we need something here', 'title')
      }
      if (params.get('kind') !== 'self') {
        return jsonError('NO_SELFS', 'only self posts here', 'kind')
      }
      const post = world.submit(subreddit, user, {
        title,
        text: params.get('text') ?? '',
        flair: params.get('flair_text'),
      })
      return {
        json: {
          errors: [],
          data: {
            url: `https://www.reddit.com/r/${subreddit.name}/comments/${post.id36}/_/`,
            id: post.id36,
            name: post.fullname,
          },
        },
      }
    }
    if (path === '/api/comment' || path === '/api/editusertext') {
      const target = thingOf(params.get('thing_id') ?? undefined)
      const text = params.get('text') ?? ''
      if (text === '') {
        return jsonError('NO_TEXT', 'we need something here', 'text')
      }
      if (path === '/api/editusertext') {
        if (target.author !== user) {
          throw forbidden()
        }
        world.edit(target, text)
        return { json: { errors: [], data: { things: [thingJson(target, user)] } } }
      }
      const post = target.kind === 't3' ? target : world.things.get(target.linkId)
      if (post?.locked === true && !world.mayModerate(subredditOf(target.subreddit), user, 'posts')) {
        return jsonError('THREAD_LOCKED', 'Comments are locked.', 'parent')
      }
      const comment = world.comment(target, user, text)
      return { json: { errors: [], data: { things: [thingJson(comment, user)] } } }
    }
    if (path === '/api/distinguish') {
      const thing = thingOf(params.get('id') ?? undefined)
      requireMod(subredditOf(thing.subreddit), user, 'posts')
      thing.distinguished = params.get('how') === 'no' ? null : 'moderator'
      thing.stickied = params.get('sticky') === 'true'
      return { json: { errors: [], data: { things: [thingJson(thing, user)] } } }
    }
    if (['/api/approve', '/api/remove', '/api/lock', '/api/unlock'].includes(path)) {
      const thing = thingOf(params.get('id') ?? undefined)
      const subreddit = subredditOf(thing.subreddit)
      requireMod(subreddit, user, 'posts')
      const action = path.slice('/api/'.length)
      if (action === 'approve') {
        thing.removedBy = null
        thing.approvedBy = user
        world.logAction(subreddit, user, thing.kind === 't3' ? 'approvelink' : 'approvecomment', thing)
      } else if (action === 'remove') {
        thing.removedBy = user
        thing.approvedBy = null
        world.logAction(subreddit, user, thing.kind === 't3' ? 'removelink' : 'removecomment', thing)
      } else {
        thing.locked = action === 'lock'
        world.logAction(subreddit, user, action, thing)
      }
      return {}
    }
    if (path === '/api/del') {
      const thing = thingOf(params.get('id') ?? undefined)
      if (thing.author !== user) {
        throw forbidden()
      }
      world.delete(thing)
      return {}
    }
    if (path === '/api/compose') {
      const to = params.get('to') ?? ''
      if (!world.user(to)) {
        return jsonError('USER_DOESNT_EXIST', 'that user doesn’t exist', 'to')
      }
      world.messages.push({ from: user, to, subject: params.get('subject') ?? '', text: params.get('text') ?? '' })
      return ok
    }
    if ((match = /^\/r\/([^/]+)\/api\/(friend|unfriend)$/.exec(path))) {
      const subreddit = subredditOf(match[1])
      const type = params.get('type')
      const name = params.get('name') ?? ''
      if (type !== 'banned') {
        throw notFound()
      }
      requireMod(subreddit, user, 'access')
      const target = world.user(name)
      if (!target) {
        return jsonError('USER_DOESNT_EXIST', 'that user doesn’t exist', 'name')
      }
      if (match[2] === 'friend') {
        const duration = params.get('duration') ? Number(params.get('duration')) : null
        subreddit.banned.set(target.name, {
          reason: params.get('ban_reason') ?? '',
          note: params.get('note') ?? '',
          duration,
        })
        // Reddit's log gives a ban's length as its details: "permanent" or "3 days".
        world.logAction(subreddit, user, 'banuser', target, duration === null ? 'permanent' : `${duration} days`)
        return ok
      }
      subreddit.banned.delete(target.name)
      world.logAction(subreddit, user, 'unbanuser', target)
      return {}
    }
    throw notFound()
  }

  const server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', 'http://fake')
      const path = url.pathname.replace(/\/+$/, '').replace(/\.json$/, '') || '/'
      const method = request.method ?? 'GET'
      const body = method === 'POST' ? await readBody(request) : ''
      const params = method === 'POST' ? new URLSearchParams(body) : url.searchParams
      const record: FakeRedditCall = {
        method,
        path,
        params: Object.fromEntries(params),
        user: null,
        status: 200,
        at: 0,
      }
      const send = (status: number, json: unknown, headers: Record<string, string> = {}) => {
        record.status = status
        record.at = now()
        calls.push(record)
        response
          .writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers })
          .end(JSON.stringify(json))
      }
      try {
        if (method === 'GET' && path === '/api/v1/authorize') {
          authorize(url, response)
          return
        }
        if (method === 'POST' && path === '/api/v1/access_token') {
          send(200, tokenEndpoint(request, params))
          return
        }
        // The API host: a rate-limit window per client, then the bearer token.
        if (now() - window.start >= windowMs) {
          window = { start: now(), used: 0 }
        }
        window.used += 1
        const resetSeconds = Math.max(0, Math.ceil((window.start + windowMs - now()) / 1000))
        const rate = {
          'x-ratelimit-used': String(window.used),
          'x-ratelimit-remaining': `${Math.max(0, ratePerWindow - window.used)}.0`,
          'x-ratelimit-reset': String(resetSeconds),
        }
        const bearer = /^bearer (.+)$/i.exec(request.headers.authorization ?? '')
        const token = bearer?.[1] === undefined ? undefined : tokens.get(bearer[1])
        if (!token || token.expiresAt <= now()) {
          send(401, { message: 'Unauthorized', error: 401 }, rate)
          return
        }
        record.user = token.user
        if (forced429 > 0 || window.used > ratePerWindow) {
          forced429 = Math.max(0, forced429 - 1)
          send(429, { message: 'Too Many Requests', error: 429 }, rate)
          return
        }
        send(200, api(method, path, params, token.user), rate)
      } catch (e) {
        if (e instanceof HttpError) {
          send(e.status, e.body)
          return
        }
        send(500, { message: String(e), error: 500 })
      }
    })()
  })
  const local = await listenLocally(server, 'fake Reddit')
  fake.url = local.url
  fake.close = local.close
  return fake
}
