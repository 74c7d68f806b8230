export type ErrorCode =
  | 'invalid_input'
  | 'unauthenticated'
  | 'not_found'
  | 'forbidden'
  | 'conflict'
  | 'rate_limited'
  | 'platform_unavailable'
  | 'platform_rejected'

/** An error a caller may handle; anything else that is thrown is a bug. */
export class AppError extends Error {
  readonly code: ErrorCode
  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'AppError'
    this.code = code
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
