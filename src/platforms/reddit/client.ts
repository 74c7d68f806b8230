import { z } from 'zod'
import { AppError } from '../../errors.ts'
import type { RedditCredentials } from './credentials.ts'
import type { RedditOptions } from './options.ts'
import { noteRateHeaders, type RateBudget } from './rate-budget.ts'

/**
 * Every HTTP call to Reddit, and nothing else: the token endpoint (HTTP Basic with the app's id
 * and secret) and the OAuth API (`Authorization: bearer`, the configured user agent, form posts
 * with `api_type=json`). Failures become AppErrors: 401 and 403 `platform_rejected` (the caller
 * refreshes once on a 401), 429 and 5xx `platform_unavailable` with how long to wait, and the
 * errors Reddit puts in a 200 (`{"json": {"errors": [[CODE, message, field]]}}`) by their code.
 */

export interface RedditHttp {
  fetch: typeof fetch
  options: RedditOptions
  budget: RateBudget
  now(): number
}

const tokenAnswer = z.object({
  access_token: z.string().min(1),
  token_type: z.literal('bearer'),
  expires_in: z.number(),
  refresh_token: z.string().min(1).optional(),
  scope: z.string(),
})
export type TokenAnswer = z.infer<typeof tokenAnswer>

/** A 401 from the API: the caller refreshes the token and tries once more. */
export class RedditTokenRejected extends AppError {
  constructor(path: string) {
    super('platform_rejected', `Reddit refused the connection's token (${path}): reconnect Reddit from the settings`)
  }
}

async function answerOf(response: Response, what: string, http: RedditHttp): Promise<unknown> {
  const text = await response.text()
  if (response.status === 429) {
    const resetMs = http.budget.resetAt === null ? 60_000 : Math.max(1000, http.budget.resetAt - http.now())
    http.budget.remaining = 0
    throw new AppError('platform_unavailable', `${what}: Reddit's rate limit is spent`, { retryAfterMs: resetMs })
  }
  if (response.status >= 500) {
    throw new AppError('platform_unavailable', `${what}: Reddit answered ${response.status}`)
  }
  if (!response.ok) {
    throw new AppError('platform_rejected', `${what}: Reddit answered ${response.status} ${text.slice(0, 200)}`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new AppError('platform_rejected', `${what}: Reddit's answer is not JSON`)
  }
  const errors = jsonErrors.safeParse(json)
  if (errors.success && errors.data.json.errors.length > 0) {
    const [first] = errors.data.json.errors
    const [code, message] = first ?? []
    if (code === 'RATELIMIT') {
      throw new AppError('platform_unavailable', `${what}: ${String(message)}`, { retryAfterMs: 60_000 })
    }
    throw new AppError('platform_rejected', `${what}: ${String(code)} ${String(message ?? '')}`.trim())
  }
  return json
}

const jsonErrors = z.object({ json: z.object({ errors: z.array(z.array(z.union([z.string(), z.null()]))) }) })

/** The token endpoint: an authorization code or a refresh token for an access token. */
export async function requestToken(
  http: RedditHttp,
  grant:
    | { grant_type: 'authorization_code'; code: string; redirect_uri: string }
    | { grant_type: 'refresh_token'; refresh_token: string },
): Promise<TokenAnswer> {
  const { options } = http
  let response: Response
  try {
    response = await http.fetch(`${options.oauthUrl}/api/v1/access_token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${options.clientId}:${options.clientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
        'user-agent': options.userAgent,
      },
      body: new URLSearchParams(grant).toString(),
    })
  } catch (e) {
    throw new AppError('platform_unavailable', 'Reddit could not be reached for a token', { cause: e })
  }
  const json = await answerOf(response, 'access_token', http)
  if (typeof json === 'object' && json !== null && 'error' in json) {
    throw new AppError('platform_rejected', `Reddit refused the token request (${String(json.error)})`)
  }
  const parsed = tokenAnswer.safeParse(json)
  if (!parsed.success) {
    throw new AppError('platform_rejected', 'Reddit did not grant a bearer token')
  }
  return parsed.data
}

export type RedditParams = Record<string, string | number | boolean | undefined>

/** One API call with `token`: GET with a query, POST as a form (`api_type=json`). */
export async function callRedditApi(
  http: RedditHttp,
  token: string,
  method: 'GET' | 'POST',
  path: string,
  params: RedditParams = {},
): Promise<unknown> {
  const entries = Object.entries(params).flatMap(([k, v]) =>
    v === undefined ? [] : [[k, String(v)] as [string, string]],
  )
  const url = new URL(`${http.options.apiUrl}${path}`)
  url.searchParams.set('raw_json', '1')
  const headers: Record<string, string> = { authorization: `bearer ${token}`, 'user-agent': http.options.userAgent }
  let body: string | undefined
  if (method === 'GET') {
    for (const [k, v] of entries) {
      url.searchParams.set(k, v)
    }
  } else {
    headers['content-type'] = 'application/x-www-form-urlencoded'
    body = new URLSearchParams([['api_type', 'json'], ...entries]).toString()
  }
  let response: Response
  try {
    response = await http.fetch(url, { method, headers, ...(body === undefined ? {} : { body }) })
  } catch (e) {
    throw new AppError('platform_unavailable', `${path}: Reddit could not be reached`, { cause: e })
  }
  noteRateHeaders(http.budget, response.headers, http.now())
  if (response.status === 401) {
    await response.body?.cancel()
    throw new RedditTokenRejected(path)
  }
  return answerOf(response, path, http)
}

/** Credentials after a token grant or refresh (a refresh keeps the refresh token it was given). */
export function credentialsFrom(
  answer: TokenAnswer,
  previous: { refreshToken?: string; username: string },
  now: number,
): RedditCredentials {
  const refreshToken = answer.refresh_token ?? previous.refreshToken
  if (refreshToken === undefined) {
    throw new AppError('platform_rejected', 'Reddit granted no refresh token: connect with duration=permanent')
  }
  return {
    accessToken: answer.access_token,
    refreshToken,
    expiresAt: now + answer.expires_in * 1000,
    scope: answer.scope,
    username: previous.username,
  }
}
