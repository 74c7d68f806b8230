import { listenLocally } from '../../support/listen-locally.ts'
import { createServer } from 'node:http'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import { authorizePage } from './authorize-pages.ts'
import type { SlackEvent } from './events.ts'
import type { FakeState } from './fake-state.ts'
import type { Interactivity } from './interactivity.ts'
import type { OAuth } from './oauth.ts'
import type { Args } from './slack-method.ts'
import type { WebApi } from './web-api.ts'

/**
 * The fake's HTTP side: `GET|POST /api/<method>` (form or JSON bodies, as @slack/web-api sends
 * them), the OAuth and OpenID Connect authorize pages, and `POST /actions/…` (response_url).
 * Events a request causes are queued for delivery once its response has gone out.
 */
export interface FakeSlackServer {
  server: Server
  /** `http://127.0.0.1:<port>` */
  url: string
  /** Resolves once no request is being answered. */
  settled(): Promise<void>
  /** Whether a request is being answered now. */
  busy(): boolean
  close(): Promise<void>
}

interface Reply {
  status: number
  headers: Record<string, string>
  body: string
  events?: SlackEvent[]
}

const jsonReply = (status: number, body: Record<string, unknown>): Reply => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8' },
  body: JSON.stringify(body),
})

class BadBody extends Error {}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of request) {
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)))
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** Query parameters, then the body's (form-urlencoded or JSON) on top. */
async function readParams(request: IncomingMessage, url: URL): Promise<Args> {
  const args: Args = Object.fromEntries(url.searchParams)
  if (request.method !== 'POST') {
    return args
  }
  const raw = await readBody(request)
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase()
  if (type === 'application/json') {
    let parsed: unknown
    try {
      parsed = raw === '' ? {} : JSON.parse(raw)
    } catch {
      throw new BadBody('invalid_json')
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new BadBody('invalid_json')
    }
    return { ...args, ...Object.fromEntries(Object.entries(parsed)) }
  }
  return { ...args, ...Object.fromEntries(new URLSearchParams(raw)) }
}

function bearer(request: IncomingMessage): string | null {
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')
  return match?.[1] ?? null
}

export async function startServer(parts: {
  state: FakeState
  webApi: WebApi
  oauth: OAuth
  interactivity: Interactivity
}): Promise<FakeSlackServer> {
  const { state, webApi, oauth, interactivity } = parts
  const inFlight = new Set<Promise<void>>()

  async function route(request: IncomingMessage, url: URL): Promise<Reply> {
    const path = url.pathname
    const api = /^\/api\/([A-Za-z0-9_.]+)$/.exec(path)
    if (api?.[1] !== undefined && (request.method === 'GET' || request.method === 'POST')) {
      const response = webApi.handle(api[1], await readParams(request, url), bearer(request))
      return response
    }
    const authorize: Record<string, 'install' | 'openid'> = {
      '/oauth/v2/authorize': 'install',
      '/openid/connect/authorize': 'openid',
    }
    const kind = authorize[path]
    if (kind !== undefined && (request.method === 'GET' || request.method === 'POST')) {
      const params = new URLSearchParams(Object.entries(await readParams(request, url)).map(([k, v]) => [k, String(v)]))
      return authorizePage(state.ws, oauth, kind, request.method, params)
    }
    const action = /^\/actions\/(?:[^/]+\/)?([^/]+)$/.exec(path)
    if (action?.[1] !== undefined && request.method === 'POST') {
      return {
        headers: { 'content-type': 'application/json; charset=utf-8' },
        ...interactivity.respond(action[1], await readParams(request, url)),
      }
    }
    return jsonReply(404, { ok: false, error: 'fake Slack: no such route', path })
  }

  async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://fake-slack.invalid')
    let reply: Reply
    try {
      reply = await route(request, url)
    } catch (e) {
      reply =
        e instanceof BadBody
          ? jsonReply(200, { ok: false, error: e.message })
          : jsonReply(500, { ok: false, error: 'fake_slack_bug', detail: e instanceof Error ? e.stack : String(e) })
    }
    const responded = new Promise<void>((resolve) => {
      response.once('finish', resolve)
      response.once('close', resolve)
    })
    response.writeHead(reply.status, reply.headers)
    response.end(reply.body)
    if (reply.events !== undefined && reply.events.length > 0) {
      state.deliverer.echo(reply.events, responded)
    }
    await responded
  }

  const server = createServer((request, response) => {
    const handled = answer(request, response).finally(() => inFlight.delete(handled))
    inFlight.add(handled)
  })
  const local = await listenLocally(server, 'fake Slack')
  return {
    server,
    url: local.url,
    busy: () => inFlight.size > 0,
    async settled() {
      while (inFlight.size > 0) {
        await Promise.allSettled([...inFlight])
      }
    },
    close: local.close,
  }
}
