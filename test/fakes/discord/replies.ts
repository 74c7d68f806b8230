/**
 * Answers as Discord sends them: JSON bodies, `X-RateLimit-*` headers on every REST answer, errors
 * as `{ code, message }` (JSON error codes from Discord's docs), 429 with `retry_after` (seconds,
 * a float) in the body and `Retry-After` (whole seconds) in the headers.
 */
export interface Reply {
  status: number
  headers: Record<string, string>
  body: string
}

const jsonHeaders = { 'content-type': 'application/json' }

export function json(status: number, body: unknown): Reply {
  return { status, headers: { ...jsonHeaders }, body: JSON.stringify(body) }
}

export const noContent = (): Reply => ({ status: 204, headers: {}, body: '' })

/** An error the route handler throws; the server turns it into Discord's error answer. */
export class DiscordError extends Error {
  readonly status: number
  readonly code: number
  readonly errors: Record<string, unknown> | undefined

  constructor(status: number, code: number, message: string, errors?: Record<string, unknown>) {
    super(message)
    this.status = status
    this.code = code
    this.errors = errors
  }

  reply(): Reply {
    return json(this.status, {
      code: this.code,
      message: this.message,
      ...(this.errors === undefined ? {} : { errors: this.errors }),
    })
  }
}

export const unauthorized = () => new DiscordError(401, 0, '401: Unauthorized')
export const missingPermissions = () => new DiscordError(403, 50013, 'Missing Permissions')
export const missingAccess = () => new DiscordError(403, 50001, 'Missing Access')
export const notFoundRoute = () => new DiscordError(404, 0, '404: Not Found')

/** Discord's 404s name what is unknown, each with its own code. */
export const unknown = {
  channel: () => new DiscordError(404, 10003, 'Unknown Channel'),
  guild: () => new DiscordError(404, 10004, 'Unknown Guild'),
  member: () => new DiscordError(404, 10007, 'Unknown Member'),
  message: () => new DiscordError(404, 10008, 'Unknown Message'),
  role: () => new DiscordError(404, 10011, 'Unknown Role'),
  user: () => new DiscordError(404, 10013, 'Unknown User'),
  webhook: () => new DiscordError(404, 10015, 'Unknown Webhook'),
  interaction: () => new DiscordError(404, 10062, 'Unknown interaction'),
}

/** 50035 with the field's error, as Discord reports a body it refuses. */
export function invalidFormBody(field: string, code: string, message: string): DiscordError {
  return new DiscordError(400, 50035, 'Invalid Form Body', { [field]: { _errors: [{ code, message }] } })
}

/** The bucket headers every REST answer carries (the fake never runs a bucket dry on its own). */
export function rateLimitHeaders(bucket: string, nowMs: number): Record<string, string> {
  return {
    'x-ratelimit-limit': '50',
    'x-ratelimit-remaining': '49',
    'x-ratelimit-reset': ((nowMs + 1000) / 1000).toFixed(3),
    'x-ratelimit-reset-after': '1.000',
    'x-ratelimit-bucket': bucket,
  }
}

export function rateLimited(bucket: string, retryAfterSeconds: number, nowMs: number): Reply {
  return {
    status: 429,
    headers: {
      ...jsonHeaders,
      ...rateLimitHeaders(bucket, nowMs),
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset-after': retryAfterSeconds.toFixed(3),
      'x-ratelimit-scope': 'user',
      'retry-after': String(Math.ceil(retryAfterSeconds)),
    },
    // The spec's RatelimitedResponse requires Error's `code` (0: no JSON error code applies).
    body: JSON.stringify({
      code: 0,
      message: 'You are being rate limited.',
      retry_after: retryAfterSeconds,
      global: false,
    }),
  }
}
