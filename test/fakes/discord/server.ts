import { listenLocally } from '../../support/listen-locally.ts'
import { createHash } from 'node:crypto'
import { createServer } from 'node:http'
import type { IncomingMessage, Server } from 'node:http'
import { DiscordError, json, notFoundRoute, rateLimitHeaders, rateLimited, unauthorized } from './replies.ts'
import type { Reply } from './replies.ts'
import { matchRoute } from './routes.ts'
import type { RestRequest, Route } from './routes.ts'
import type { FakeState } from './state.ts'

/** A failure injected into the next calls of one route: a 429, a 5xx, or any Discord error. */
export type Failure =
  | { status: 429; retryAfterSeconds: number }
  | { status: 500 | 502 | 503 }
  | { status: 400 | 401 | 403 | 404; code: number; message: string }

/** One REST call the fake answered, for assertions. */
export interface RestCall {
  method: string
  /** The route's pattern, e.g. `/channels/:channel/messages`. */
  route: string
  path: string
  body: Record<string, unknown>
  status: number
}

export interface FakeDiscordServer {
  server: Server
  url: string
  close(): Promise<void>
}

async function readBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = []
  for await (const chunk of request) {
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)))
  }
  const raw = Buffer.concat(chunks).toString('utf8')
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase()
  if (raw === '') {
    return {}
  }
  if (type === 'application/x-www-form-urlencoded') {
    return Object.fromEntries(new URLSearchParams(raw))
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(raw)
  } catch {
    throw new DiscordError(400, 50109, 'The request body contains invalid JSON.')
  }
  if (Array.isArray(parsed)) {
    // Bulk routes (PUT …/commands) take an array; handlers see it as `items`.
    return { items: parsed }
  }
  if (typeof parsed !== 'object' || parsed === null) {
    throw new DiscordError(400, 50109, 'The request body contains invalid JSON.')
  }
  return { ...parsed }
}

function callerOf(state: FakeState, authorization: string | undefined): RestRequest['caller'] {
  const match = /^(Bot|Bearer)\s+(\S+)$/i.exec(authorization ?? '')
  if (match?.[1] === undefined || match[2] === undefined) {
    return null
  }
  if (match[1].toLowerCase() === 'bot') {
    return match[2] === state.botToken ? { user: state.bot, kind: 'bot', scopes: ['bot'] } : null
  }
  const token = state.accessTokens.get(match[2])
  const user = token === undefined ? undefined : state.guild.users.get(token.userId)
  return token === undefined || user === undefined ? null : { user, kind: 'bearer', scopes: token.scopes }
}

/**
 * The fake's HTTP side: REST under `/api` and `/api/v<N>` (what @discordjs/rest and older
 * clients call), with `Authorization: Bot <token>` for the bot and `Bearer <token>` for OAuth.
 */
export async function startServer(parts: {
  state: FakeState
  routes: readonly Route[]
  calls: RestCall[]
  takeFailure(method: string, route: string): Failure | undefined
  /** While a route is stalled, its calls wait for the stall's release. */
  stallOf(method: string, route: string): Promise<void> | undefined
}): Promise<FakeDiscordServer> {
  const { state, routes, calls } = parts

  async function route(request: IncomingMessage, url: URL): Promise<Reply> {
    const api = /^\/api(?:\/v\d+)?(\/.*)$/.exec(url.pathname)
    const method = request.method ?? 'GET'
    const found = api?.[1] === undefined ? null : matchRoute(routes, method, api[1])
    if (api?.[1] === undefined || found === null) {
      return notFoundRoute().reply()
    }
    const bucket = createHash('sha1').update(`${method} ${found.route.pattern}`).digest('hex').slice(0, 16)
    const failure = parts.takeFailure(method, found.route.pattern)
    const body = await readBody(request)
    await parts.stallOf(method, found.route.pattern)
    await found.route.waitFor?.(state, found.params)
    const rest: RestRequest = {
      method,
      params: found.params,
      query: url.searchParams,
      body,
      caller: callerOf(state, request.headers.authorization),
      authorization: request.headers.authorization,
    }
    let reply: Reply
    try {
      const { auth } = found.route
      if ((auth === 'bot' || auth === 'bearer') && rest.caller?.kind !== auth) {
        throw unauthorized()
      }
      if (auth === 'any' && rest.caller === null) {
        throw unauthorized()
      }
      reply = failure === undefined ? found.route.handle(state, rest) : failureReply(failure, bucket, state.now())
    } catch (e) {
      if (!(e instanceof DiscordError)) {
        throw e
      }
      reply = e.reply()
    }
    calls.push({ method, route: found.route.pattern, path: api[1], body, status: reply.status })
    return { ...reply, headers: { ...rateLimitHeaders(bucket, state.now()), ...reply.headers } }
  }

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://fake-discord.invalid')
    route(request, url)
      .catch((e: unknown) =>
        json(500, { code: 0, message: `fake Discord bug: ${e instanceof Error ? e.stack : String(e)}` }),
      )
      .then((reply) => {
        response.writeHead(reply.status, reply.headers)
        response.end(reply.body)
      })
      .catch(() => response.destroy())
  })
  return { server, ...(await listenLocally(server, 'fake Discord')) }
}

function failureReply(failure: Failure, bucket: string, now: number): Reply {
  if (failure.status === 429) {
    return rateLimited(bucket, failure.retryAfterSeconds, now)
  }
  if (failure.status >= 500) {
    return json(failure.status, { code: 0, message: `${failure.status}: Server Error` })
  }
  return 'code' in failure ? new DiscordError(failure.status, failure.code, failure.message).reply() : json(500, {})
}
