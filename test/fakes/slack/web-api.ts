import type { SlackEvent } from './events.ts'
import type { FakeState } from './fake-state.ts'
import type { Args, SlackMethod } from './slack-method.ts'
import { SlackError } from './slack-method.ts'

/** One Web API request as the fake received it. */
export interface ApiCall {
  method: string
  token: string | null
  args: Record<string, unknown>
  /** The HTTP status and JSON body the fake answered with. */
  status: number
  response: Record<string, unknown>
}

export type Failure = { status: 429; retryAfterSeconds: number } | { status: 500 } | { error: string }

export interface ApiResponse {
  status: number
  headers: Record<string, string>
  body: string
  /** `body`, parsed. */
  json: Record<string, unknown>
  events: SlackEvent[]
}

export interface WebApi {
  calls: ApiCall[]
  failNext(method: string, failure: Failure, times: number): void
  /** Answers `POST|GET /api/<method>`; `token` comes from `Authorization: Bearer`, else from the params. */
  handle(method: string, args: Args, bearer: string | null): ApiResponse
}

const json = (status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): ApiResponse => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  body: JSON.stringify(body),
  json: body,
  events: [],
})

export function createWebApi(state: FakeState, methods: Record<string, SlackMethod>): WebApi {
  const calls: ApiCall[] = []
  const failures = new Map<string, Failure[]>()

  function failure(method: string): ApiResponse | null {
    const next = failures.get(method)?.shift()
    if (next === undefined) {
      return null
    }
    if ('error' in next) {
      return json(200, { ok: false, error: next.error })
    }
    if (next.status === 429) {
      return json(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(next.retryAfterSeconds) })
    }
    return json(500, { ok: false, error: 'fatal_error' })
  }

  function handle(method: string, params: Args, bearer: string | null): ApiResponse {
    const { token: paramToken, ...args } = params
    const token = bearer ?? (typeof paramToken === 'string' && paramToken !== '' ? paramToken : null)
    const call: ApiCall = { method, token, args, status: 0, response: {} }
    calls.push(call)
    const response = answer(call)
    call.status = response.status
    call.response = response.json
    return response
  }

  function answer({ method, token, args }: ApiCall): ApiResponse {
    const failed = failure(method)
    if (failed) {
      return failed
    }
    const def = methods[method]
    if (!def) {
      return json(200, { ok: false, error: 'unknown_method', req_method: method })
    }
    const record = token === null ? undefined : state.tokens.find(token)
    const caller = record ? state.ws.user(record.userId) : state.ws.bot
    const headers: Record<string, string> = {}
    if (def.scopes !== null) {
      if (token === null) {
        return json(200, { ok: false, error: 'not_authed' })
      }
      if (!record || !caller) {
        return json(200, { ok: false, error: 'invalid_auth' })
      }
      if (record.revoked) {
        return json(200, { ok: false, error: 'token_revoked' })
      }
      headers['x-oauth-scopes'] = record.scopes.join(',')
      if (def.scopes.length > 0) {
        headers['x-accepted-oauth-scopes'] = def.scopes.join(',')
      }
      if (def.scopes.length > 0 && !def.scopes.some((scope) => record.scopes.includes(scope))) {
        const error = {
          ok: false,
          error: 'missing_scope',
          needed: def.scopes.join(','),
          provided: record.scopes.join(','),
        }
        return json(200, error, headers)
      }
    }
    try {
      const result = def.run({ args, state, caller: caller ?? state.ws.bot, token: record ?? null })
      return { ...json(200, { ok: true, ...result.body }, headers), events: result.events ?? [] }
    } catch (e) {
      if (e instanceof SlackError) {
        return json(200, { ok: false, error: e.error, ...e.extra }, headers)
      }
      throw e
    }
  }

  return {
    calls,
    failNext(method, failure, times) {
      const queue = failures.get(method) ?? []
      failures.set(method, [...queue, ...Array.from({ length: times }, () => failure)])
    },
    handle,
  }
}
