import { WebClient } from '@slack/web-api'
import { AppError, toError } from '../../errors.ts'
import { clientCache } from '../kit/client-cache.ts'
import type { SlackOptions } from './options.ts'

/**
 * A Web API client for one token. A 429 is not waited out here: it rejects at once, and the
 * engine's durable retry runs the execution again later (nothing lost, no process asleep).
 * Network errors and 5xx are retried twice, quickly, then do the same.
 */
function newSlackClient(token: string | undefined, apiUrl: string): WebClient {
  return new WebClient(token, {
    slackApiUrl: apiUrl,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 2, factor: 2, minTimeout: 50, maxTimeout: 500 },
    timeout: 10_000,
  })
}

export interface SlackClientCache {
  client(token: string | undefined, options: Pick<SlackOptions, 'apiUrl'>): WebClient
  readonly size: number
}

/** Web API clients by API URL and token (the kit's client cache), at most `limit` of them. */
export function slackClientCache(limit: number): SlackClientCache {
  const cache = clientCache(limit, (key) => {
    const space = key.indexOf(' ')
    const token = key.slice(space + 1)
    return newSlackClient(token === '' ? undefined : token, key.slice(0, space))
  })
  return {
    client: (token, { apiUrl }) => cache.client(`${apiUrl} ${token ?? ''}`),
    get size() {
      return cache.size
    },
  }
}

/**
 * Two tokens per connected workspace (bot and admin), plus the one-off ones of installs and
 * sign-ins. A WebClient takes about 0.1 ms to make and holds about 26 KiB (measured with
 * @slack/web-api 8.2 on Node 24), so a full cache is some 7 MiB.
 */
const sharedClients = slackClientCache(256)

/**
 * The Web API client for a token, made once and reused by every event, action and policy call
 * that uses it. Process-wide on purpose (the folder's one piece of module-level state): the
 * clients hold nothing of any call, and tests that start many fake Slacks get apart by API URL.
 */
export function slackClient(token: string | undefined, options: Pick<SlackOptions, 'apiUrl'>): WebClient {
  return sharedClients.client(token, options)
}

interface SlackApiError {
  code?: unknown
  data?: { error?: unknown }
  retryAfter?: unknown
  statusCode?: unknown
}

/**
 * What a failed Web API call means to the engine: `platform_unavailable` (retry later) for rate
 * limits, 5xx and network failures; `platform_rejected` with Slack's error code otherwise.
 */
export function slackCallError(e: unknown, what: string): AppError {
  const error = toError(e)
  const api = error as SlackApiError
  switch (api.code) {
    case 'slack_webapi_rate_limited_error': {
      const seconds = typeof api.retryAfter === 'number' && api.retryAfter > 0 ? api.retryAfter : 1
      return new AppError('platform_unavailable', `${what}: Slack is rate limiting (retry after ${seconds} s)`, {
        cause: error,
        retryAfterMs: seconds * 1000,
      })
    }
    case 'slack_webapi_request_error':
    case 'slack_webapi_http_error':
      return new AppError('platform_unavailable', `${what}: Slack is unavailable (${error.message})`, { cause: error })
    case 'slack_webapi_platform_error':
      return new AppError('platform_rejected', `${what}: Slack answered ${String(api.data?.error)}`, { cause: error })
    default:
      return error instanceof AppError
        ? error
        : new AppError('platform_unavailable', `${what}: ${error.message}`, { cause: error })
  }
}

/** Runs one Web API call, turning its failure into the AppError the engine acts on. */
export async function callSlack<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (e) {
    throw slackCallError(e, what)
  }
}
