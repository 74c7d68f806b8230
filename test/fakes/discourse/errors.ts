/** An answer Discourse gives instead of what was asked: `{errors: [...], error_type}` and a status. */
export class ForumError extends Error {
  readonly status: number
  readonly body: Record<string, unknown>
  readonly headers: Record<string, string>
  constructor(status: number, body: Record<string, unknown>, headers: Record<string, string> = {}) {
    super(String((body.errors as string[] | undefined)?.[0] ?? status))
    this.status = status
    this.body = body
    this.headers = headers
  }
}

export const invalidAccess = () =>
  new ForumError(403, {
    errors: ['You are not permitted to view the requested resource. The API username or key is invalid.'],
    error_type: 'invalid_access',
  })

export const notFound = () =>
  new ForumError(404, { errors: ['The requested URL or resource could not be found.'], error_type: 'not_found' })

export const invalidParameters = (message: string) =>
  new ForumError(400, { errors: [message], error_type: 'invalid_parameters' })

/** 422: a validation failed (a title too short, a title used already…). */
export const unprocessable = (message: string) => new ForumError(422, { errors: [message] })

export const rateLimited = (seconds: number) =>
  new ForumError(
    429,
    {
      errors: [`You’ve performed this action too many times. Please wait ${seconds} seconds before trying again.`],
      error_type: 'rate_limit',
      extras: { wait_seconds: seconds },
    },
    { 'retry-after': String(seconds), 'discourse-rate-limit-error-code': 'admin_api_key_rate_limit' },
  )
