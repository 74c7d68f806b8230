import type { JsonObject } from '../../domain/json.ts'
import { AppError, isAppError } from '../../errors.ts'
import { publicOnlyFetch } from '../kit/public-address.ts'
import type { DiscourseCredentials } from './credentials.ts'
import type { DiscourseOptions } from './options.ts'

/**
 * The fetch every call to a forum goes through: only the public internet (`publicOnlyFetch`),
 * unless the operator allows forums on private addresses (`DISCOURSE_PRIVATE_ADDRESSES=allow`).
 */
export function forumFetch(
  options: Pick<DiscourseOptions, 'privateAddresses'>,
  base: typeof fetch = fetch,
): typeof fetch {
  return options.privateAddresses ? base : publicOnlyFetch
}

/**
 * One request to a forum's API as the connected admin key (`Api-Key`, `Api-Username`), JSON in,
 * the forum's answer as it is; a network failure or timeout is `platform_unavailable`, an address
 * `fetchFn` refuses `platform_rejected`.
 */
export async function requestDiscourse(
  fetchFn: typeof fetch,
  credentials: DiscourseCredentials,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  body?: JsonObject,
): Promise<Response> {
  try {
    return await fetchFn(`${credentials.url}${path}`, {
      method,
      headers: {
        'api-key': credentials.apiKey,
        'api-username': credentials.apiUsername,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(10_000),
    })
  } catch (e) {
    // A refused address says why; anything else is a forum that cannot be reached now.
    throw isAppError(e)
      ? e
      : new AppError('platform_unavailable', `${method} ${path}: the forum cannot be reached`, { cause: e })
  }
}

/** The JSON of a forum's answer, or null when it is empty or not JSON. */
export async function jsonOf(response: Response): Promise<unknown> {
  const text = await response.text()
  try {
    return text === '' ? null : JSON.parse(text)
  } catch {
    return null
  }
}

/**
 * One call to a forum's API as the connected admin key, JSON in and out. What a failure means to
 * the engine: a 429 or 5xx or network failure is `platform_unavailable` (with Retry-After, so the
 * durable queue waits that long), anything else `platform_rejected` with Discourse's own message.
 */
export async function callDiscourse(
  fetchFn: typeof fetch,
  credentials: DiscourseCredentials,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  body?: JsonObject,
): Promise<unknown> {
  const what = `${method} ${path}`
  const response = await requestDiscourse(fetchFn, credentials, method, path, body)
  const json = await jsonOf(response)
  if (response.ok) {
    return json
  }
  const errors = (json as { errors?: unknown } | null)?.errors
  const message = Array.isArray(errors) ? errors.filter((e) => typeof e === 'string').join('; ') : response.statusText
  if (response.status === 429) {
    const seconds = Number(response.headers.get('retry-after'))
    const wait = Number.isFinite(seconds) && seconds > 0 ? seconds : 10
    throw new AppError('platform_unavailable', `${what}: the forum is rate limiting (retry after ${wait} s)`, {
      retryAfterMs: wait * 1000,
    })
  }
  if (response.status >= 500) {
    throw new AppError('platform_unavailable', `${what}: the forum answered ${response.status}`)
  }
  throw new AppError('platform_rejected', `${what}: the forum answered ${response.status} (${message})`)
}
