import { constants, createHmac, publicEncrypt, randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { apiRoutes, type Route } from './api.ts'
import { ForumError, invalidAccess, notFound, rateLimited } from './errors.ts'
import { Forum, type ForumPost, type ForumTopic, type ForumUser, type UserApiKey } from './forum.ts'
import { postHookJson, topicHookJson } from './shapes.ts'
import { checkAnswer } from './spec.ts'

/** Discourse's webhook signature: `sha256=` + hex HMAC-SHA256(secret, raw body). */
export function signDiscourseBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`
}

/** A webhook the forum's admin configured: where events go and the secret they are signed with. */
export interface FakeWebhook {
  url: string
  secret: string
}

export interface Delivery {
  eventId: number
  event: string
  type: string
  body: string
  status: number
}

export interface FakeDiscourse {
  /** The forum's base URL (no trailing slash), as `X-Discourse-Instance` names it. */
  url: string
  forum: Forum
  /** An admin API key for all users (sent with `Api-Username`). */
  apiKey: string
  /** Answers the fake gave that openapi.json does not allow: a test fails on any. */
  violations: string[]
  /** Every request the forum received, as `METHOD /path`, in order. */
  requests: string[]
  deliveries: Delivery[]
  /** The next `count` API calls answer 429 with `Retry-After: seconds`. */
  rateLimitNext(count: number, seconds: number): void
  /** The webhook a test configured; without it, the last one made through the admin API. */
  hook: FakeWebhook | null
  /**
   * Who is signed in to the forum in the browser that visits `/user-api-key/new` (null: nobody,
   * and the forum answers with its login page instead of a key).
   */
  browserUser: ForumUser | null
  /** A simulated member acting on the forum, each act delivered as Discourse's webhooks. */
  as(user: ForumUser): ForumActor
  /** Delivers one event to the webhook (signed unless told otherwise); the answer's status. */
  deliver(event: string, payload: Record<string, unknown>, options?: DeliverOptions): Promise<Delivery>
  /** Sends a delivery again as Discourse's "redeliver" does: the same event id and body. */
  redeliver(delivery: Delivery): Promise<Delivery>
  close(): Promise<void>
}

export interface DeliverOptions {
  /** Signed with another secret. */
  badSignature?: boolean
  unsigned?: boolean
}

export interface ForumActor {
  createTopic(input: {
    title: string
    raw: string
    categoryId?: number
  }): Promise<{ topic: ForumTopic; post: ForumPost }>
  reply(topic: ForumTopic, raw: string): Promise<ForumPost>
  edit(post: ForumPost, raw: string): Promise<void>
  /**
   * Votes in the post's poll (by option text; none takes the vote back). Discourse sends no
   * webhook for a vote: PolicyKit reads the voters.
   */
  vote(post: ForumPost, options: string[]): void
}

const eventTypes: Record<string, string> = {
  topic_created: 'topic',
  post_created: 'post',
  post_edited: 'post',
  user_created: 'user',
  ping: 'ping',
}

async function readBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = []
  for await (const chunk of request) {
    chunks.push(chunk as Buffer)
  }
  const text = Buffer.concat(chunks).toString('utf8')
  if (text === '') {
    return {}
  }
  if ((request.headers['content-type'] ?? '').includes('application/json')) {
    try {
      return JSON.parse(text) as Record<string, unknown>
    } catch {
      throw new ForumError(400, { errors: ['Invalid JSON'], error_type: 'invalid_parameters' })
    }
  }
  return Object.fromEntries(new URLSearchParams(text))
}

/** `/posts/{id}.json` as a matcher of actual paths, capturing the named parts. */
function matcher(route: Route): RegExp {
  const pattern = route.route.replace(/[.]/g, '\\.').replace(/\{(\w+)\}/g, (_, name: string) => `(?<${name}>[^/]+?)`)
  return new RegExp(`^${pattern}$`)
}

/**
 * A fake Discourse forum on a real HTTP port: the API routes PolicyKit calls (`api.ts`), admin
 * API keys checked as Discourse checks them (`Api-Key` and `Api-Username`, 403 otherwise), 429s
 * with `Retry-After` on demand, every answer checked against openapi.json, and webhooks signed
 * and delivered as Discourse sends them.
 */
export async function startFakeDiscourse(options: { title?: string; now?: () => number } = {}): Promise<FakeDiscourse> {
  const now = options.now ?? Date.now
  const forum = new Forum(options.title ?? 'Gardeners Forum', now)
  const apiKey = randomBytes(32).toString('hex')
  const violations: string[] = []
  const requests: string[] = []
  const deliveries: Delivery[] = []
  let limited = { count: 0, seconds: 0 }
  let nextEventId = 1
  const routes = apiRoutes.map((route) => ({ route, pattern: matcher(route) }))

  function authenticate(request: IncomingMessage, route: Route): { user: ForumUser; userApiKey?: UserApiKey } {
    const userKey = request.headers['user-api-key']
    if (typeof userKey === 'string') {
      const given = forum.userApiKeys.find((k) => k.key === userKey && !k.revoked)
      const owner = given && forum.findUser(given.userId)
      if (!given || !owner || !route.userApi) {
        throw invalidAccess()
      }
      return { user: owner, userApiKey: given }
    }
    const key = request.headers['api-key']
    const username = request.headers['api-username']
    const user = typeof username === 'string' ? forum.findUser(username) : undefined
    if (key !== apiKey || !user) {
      throw invalidAccess()
    }
    return { user }
  }

  /**
   * `GET /user-api-key/new`: the page where a signed-in user grants an application a key. The
   * fake's user always grants it: the browser is sent to `auth_redirect` with `payload`, the key
   * and the application's nonce as JSON encrypted with its public key (RSA PKCS#1 v1.5, base64),
   * as Discourse sends it.
   */
  function grantUserApiKey(url: URL, response: ServerResponse): void {
    const param = (name: string) => url.searchParams.get(name) ?? ''
    const user = fake.browserUser
    const scopes = param('scopes')
      .split(',')
      .filter((s) => s !== '')
    if (!user) {
      response.writeHead(302, { location: `${baseUrl}/login` }).end()
      return
    }
    let payload: string
    try {
      const key = randomBytes(16).toString('hex')
      const json = JSON.stringify({ key, nonce: param('nonce'), push: false, api: 4 })
      payload = publicEncrypt(
        { key: param('public_key'), padding: constants.RSA_PKCS1_PADDING },
        Buffer.from(json),
      ).toString('base64')
      if (param('client_id') === '' || param('nonce') === '' || param('application_name') === '') {
        throw new Error('missing parameters')
      }
      forum.userApiKeys.push({ key, userId: user.id, clientId: param('client_id'), scopes, revoked: false })
    } catch {
      response.writeHead(400, { 'content-type': 'application/json' })
      response.end(JSON.stringify({ errors: ['Invalid user API key request'], error_type: 'invalid_parameters' }))
      return
    }
    const redirect = new URL(param('auth_redirect'))
    redirect.searchParams.set('payload', payload)
    response.writeHead(302, { location: redirect.href }).end()
  }

  async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://fake')
    requests.push(`${request.method ?? 'GET'} ${url.pathname}`)
    if (request.method === 'GET' && url.pathname === '/user-api-key/new') {
      grantUserApiKey(url, response)
      return
    }
    const found = routes
      .map(({ route, pattern }) => ({
        route,
        match: request.method === route.method ? pattern.exec(url.pathname) : null,
      }))
      .find(({ match }) => match !== null)
    let status = 200
    let body: unknown
    let headers: Record<string, string> = {}
    try {
      if (!found?.match) {
        throw notFound()
      }
      const { user, userApiKey } = authenticate(request, found.route)
      if (limited.count > 0) {
        limited.count--
        throw rateLimited(limited.seconds)
      }
      body = found.route.handle(forum, {
        user,
        ...(userApiKey ? { userApiKey } : {}),
        params: { ...found.match.groups },
        body: await readBody(request),
        query: url.searchParams,
      })
      violations.push(...checkAnswer(found.route.method, found.route.route, 200, body))
    } catch (e) {
      if (!(e instanceof ForumError)) {
        throw e
      }
      status = e.status
      body = e.body
      headers = e.headers
    }
    response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers })
    response.end(body === null || body === undefined ? '' : JSON.stringify(body))
  }

  const server = createServer((request, response) => {
    answer(request, response).catch((e: unknown) => {
      violations.push(`fake error: ${String(e)}`)
      response.writeHead(500).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  async function send(eventId: number, event: string, body: string, options: DeliverOptions): Promise<Delivery> {
    const made = forum.webhooks.at(-1)
    const hook = fake.hook ?? (made ? { url: made.url, secret: made.secret } : null)
    if (!hook) {
      throw new Error('no webhook is configured on the fake forum')
    }
    const type = eventTypes[event] ?? event.split('_')[0] ?? event
    const signature = options.badSignature
      ? signDiscourseBody('not the secret', body)
      : signDiscourseBody(hook.secret, body)
    const response = await fetch(hook.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-discourse-instance': baseUrl,
        'x-discourse-event-id': String(eventId),
        'x-discourse-event-type': type,
        'x-discourse-event': event,
        ...(options.unsigned ? {} : { 'x-discourse-event-signature': signature }),
      },
      body,
    })
    await response.arrayBuffer()
    const delivery = { eventId, event, type, body, status: response.status }
    deliveries.push(delivery)
    return delivery
  }

  const fake: FakeDiscourse = {
    url: baseUrl,
    forum,
    apiKey,
    violations,
    requests,
    deliveries,
    hook: null,
    browserUser: null,
    rateLimitNext(count, seconds) {
      limited = { count, seconds }
    },
    deliver: (event, payload, options = {}) => send(nextEventId++, event, JSON.stringify(payload), options),
    redeliver: (delivery) => send(delivery.eventId, delivery.event, delivery.body, {}),
    as(user) {
      return {
        async createTopic(input) {
          const made = forum.createTopic(user, input)
          await fake.deliver('topic_created', { topic: topicHookJson(forum, made.topic) })
          await fake.deliver('post_created', { post: postHookJson(forum, made.post) })
          return made
        },
        async reply(topic, raw) {
          const post = forum.reply(user, topic, raw)
          await fake.deliver('post_created', { post: postHookJson(forum, post) })
          return post
        },
        async edit(post, raw) {
          forum.edit(post, raw)
          await fake.deliver('post_edited', { post: postHookJson(forum, post) })
        },
        vote(post, options) {
          forum.vote(user, post, options)
        },
      }
    },
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  }
  return fake
}
