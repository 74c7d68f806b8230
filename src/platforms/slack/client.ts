import { WebClient } from '@slack/web-api'
import { AppError, toError } from '../../errors.ts'
import type { SlackOptions } from './options.ts'

/**
 * A Web API client for one token. A 429 is not waited out here: it rejects at once, and the
 * engine's durable retry runs the execution again later (nothing lost, no process asleep).
 * Network errors and 5xx are retried twice, quickly, then do the same.
 */
export function slackClient(token: string | undefined, options: Pick<SlackOptions, 'apiUrl'>): WebClient {
  return new WebClient(token, {
    slackApiUrl: options.apiUrl,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 2, factor: 2, minTimeout: 50, maxTimeout: 500 },
    timeout: 10_000,
  })
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
