import { DiscordAPIError, HTTPError, RateLimitError, REST } from '@discordjs/rest'
import { AppError, toError } from '../../errors.ts'
import { clientCache } from '../kit/client-cache.ts'
import type { DiscordOptions } from './options.ts'

/**
 * REST clients by API URL and bot token (the kit's client cache). @discordjs/rest keeps Discord's
 * per-route buckets and global limit; a 429 is not slept through here but rejects at once
 * (`rejectOnRateLimit`), so the engine's durable retry runs the execution again after
 * `retry_after` (nothing lost, no process asleep).
 */
const clients = clientCache(16, (key) => {
  const space = key.indexOf(' ')
  return new REST({
    api: key.slice(0, space),
    version: '10',
    retries: 1,
    timeout: 10_000,
    rejectOnRateLimit: () => true,
  }).setToken(key.slice(space + 1))
})

/** The bot's REST client. */
export function discordRest(options: Pick<DiscordOptions, 'apiUrl' | 'botToken'>): REST {
  return clients.client(`${options.apiUrl} ${options.botToken}`)
}

/**
 * What a failed call means to the engine: `platform_unavailable` (retry later) for a 429 (after
 * its `retry_after`), 5xx and network failures; `platform_rejected` with Discord's message and
 * JSON error code otherwise.
 */
export function discordCallError(e: unknown, what: string): AppError {
  if (e instanceof RateLimitError) {
    return new AppError('platform_unavailable', `${what}: Discord is rate limiting (retry after ${e.retryAfter} ms)`, {
      cause: e,
      retryAfterMs: Math.max(e.retryAfter, 1),
    })
  }
  if (e instanceof DiscordAPIError) {
    if (e.status >= 500) {
      return new AppError('platform_unavailable', `${what}: Discord is unavailable (${e.status})`, { cause: e })
    }
    return new AppError('platform_rejected', `${what}: Discord answered ${e.status} ${String(e.code)} ${e.message}`, {
      cause: e,
    })
  }
  if (e instanceof HTTPError) {
    return new AppError('platform_unavailable', `${what}: Discord is unavailable (${e.status})`, { cause: e })
  }
  const error = toError(e)
  return error instanceof AppError
    ? error
    : new AppError('platform_unavailable', `${what}: ${error.message}`, { cause: error })
}

/** Runs one REST call, turning its failure into the AppError the engine acts on. */
export async function callDiscord<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (e) {
    throw discordCallError(e, what)
  }
}
