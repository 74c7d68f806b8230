import type { Integration } from '../../domain/community.ts'
import type { JsonObject } from '../../domain/json.ts'
import { AppError } from '../../errors.ts'
import {
  callRedditApi,
  credentialsFrom,
  RedditTokenRejected,
  requestToken,
  type RedditHttp,
  type RedditParams,
} from './client.ts'
import { redditConfig, redditCredentials, type RedditCredentials } from './credentials.ts'
import type { RedditDeps } from './deps.ts'

/** A token this close to its expiry is refreshed before it is used. */
const refreshMarginMs = 60_000

/** The API as one connection's moderator, on its subreddit. */
export interface RedditApi {
  subreddit: string
  /** Whom PolicyKit acts as: items by them may be PolicyKit's own (known by fullname). */
  username: string
  get(path: string, params?: RedditParams): Promise<unknown>
  post(path: string, params?: RedditParams): Promise<unknown>
}

export function redditHttp(deps: RedditDeps): RedditHttp {
  return { fetch: deps.fetch, options: deps.options, budget: deps.budget, now: () => deps.ports.now() }
}

/**
 * The API for `integration`, with its decrypted `credentials`. The access token is refreshed
 * when it is about to expire, and once when Reddit answers 401 (a second 401 is the caller's
 * error, never a loop); the new tokens are stored at once, encrypted.
 */
export function redditApi(deps: RedditDeps, integration: Integration, stored: JsonObject): RedditApi {
  const parsed = redditCredentials.safeParse(stored)
  const config = redditConfig.safeParse(integration.config)
  if (!parsed.success || !config.success) {
    throw new AppError('platform_rejected', 'the Reddit connection has no usable credentials: connect Reddit again')
  }
  let credentials = parsed.data
  const http = redditHttp(deps)

  const refresh = async (): Promise<RedditCredentials> => {
    const running = deps.refreshing.get(integration.id)
    if (running) {
      return running
    }
    const work = (async () => {
      const answer = await requestToken(http, { grant_type: 'refresh_token', refresh_token: credentials.refreshToken })
      const next = credentialsFrom(answer, credentials, deps.ports.now())
      await deps.ports.integrations.setCredentials(integration, next)
      return next
    })()
    deps.refreshing.set(integration.id, work)
    try {
      return await work
    } finally {
      deps.refreshing.delete(integration.id)
    }
  }

  const call = async (method: 'GET' | 'POST', path: string, params?: RedditParams): Promise<unknown> => {
    if (credentials.expiresAt - refreshMarginMs <= deps.ports.now()) {
      credentials = await refresh()
    }
    try {
      return await callRedditApi(http, credentials.accessToken, method, path, params)
    } catch (e) {
      if (!(e instanceof RedditTokenRejected)) {
        throw e
      }
      credentials = await refresh()
      return callRedditApi(http, credentials.accessToken, method, path, params)
    }
  }

  return {
    subreddit: config.data.subreddit,
    username: credentials.username,
    get: (path, params) => call('GET', path, params),
    post: (path, params) => call('POST', path, params),
  }
}
