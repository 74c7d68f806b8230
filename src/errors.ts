export type ErrorCode =
  | 'invalid_input'
  | 'unauthenticated'
  | 'not_found'
  | 'forbidden'
  | 'conflict'
  | 'rate_limited'
  | 'platform_unavailable'
  | 'platform_rejected'

/** The one table from error code to HTTP status (JSON errors and error pages alike). */
export const statusByCode: Record<ErrorCode, number> = {
  invalid_input: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  platform_rejected: 502,
  platform_unavailable: 503,
}

/** An error a caller may handle; anything else that is thrown is a bug. */
export class AppError extends Error {
  readonly code: ErrorCode
  /** For `platform_unavailable`: how long the platform asked us to wait (Retry-After), if it said. */
  readonly retryAfterMs: number | undefined
  constructor(code: ErrorCode, message: string, options?: ErrorOptions & { retryAfterMs?: number }) {
    super(message, options)
    this.name = 'AppError'
    this.code = code
    this.retryAfterMs = options?.retryAfterMs
  }
}

export function toError(e: unknown): Error {
  if (e instanceof Error) {
    return e
  }
  return new Error(typeof e === 'string' ? e : JSON.stringify(e))
}

export function isAppError(e: unknown, code?: ErrorCode): e is AppError {
  return e instanceof AppError && (code === undefined || e.code === code)
}
