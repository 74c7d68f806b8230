import { AppError } from '../../errors.ts'

/** What Slack's OAuth redirects (both installs, Sign in with Slack) bring back in the query. */
export interface OAuthCallback {
  code?: string | undefined
  state?: string | undefined
  error?: string | undefined
}

/**
 * The callback's authorization code, once its state is checked. Slack's refusal (`?error=`) is
 * answered with `refused` (e.g. "Slack did not install PolicyKit") and Slack's error code.
 */
export function authorizationCode(callback: OAuthCallback, refused: string): string {
  if (callback.error !== undefined) {
    throw new AppError('invalid_input', `${refused} (${callback.error}).`)
  }
  if (callback.code === undefined || callback.code === '') {
    throw new AppError('invalid_input', 'Slack sent no authorization code.')
  }
  return callback.code
}

/** A short-lived cookie binding an OAuth round trip to the browser that started it, sent only to `path`. */
export function roundTripCookie(publicUrl: string, path: string) {
  return {
    httpOnly: true,
    // Lax: the cookie comes back on Slack's top-level redirect, never on cross-site sub-requests.
    sameSite: 'lax' as const,
    path,
    secure: new URL(publicUrl).protocol === 'https:',
  }
}
