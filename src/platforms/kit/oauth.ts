import { z } from 'zod'
import { AppError } from '../../errors.ts'

/** What an OAuth redirect (an install, a sign-in) brings back in the query. */
export const oauthCallbackQuery = z.object({
  code: z.string().max(1000).optional(),
  state: z.string().max(2000).optional(),
  error: z.string().max(200).optional(),
})
export type OAuthCallback = z.infer<typeof oauthCallbackQuery>

/**
 * The callback's authorization code, once its state is checked. The provider's refusal
 * (`?error=`) is answered with `refused` (e.g. "Slack did not install PolicyKit") and its code.
 */
export function authorizationCode(callback: OAuthCallback, refused: string, provider: string): string {
  if (callback.error !== undefined) {
    throw new AppError('invalid_input', `${refused} (${callback.error}).`)
  }
  if (callback.code === undefined || callback.code === '') {
    throw new AppError('invalid_input', `${provider} sent no authorization code.`)
  }
  return callback.code
}

/** A short-lived cookie binding an OAuth round trip to the browser that started it, sent only to `path`. */
export function roundTripCookie(publicUrl: string, path: string) {
  return {
    httpOnly: true,
    // Lax: the cookie comes back on the provider's top-level redirect, never on cross-site sub-requests.
    sameSite: 'lax' as const,
    path,
    secure: new URL(publicUrl).protocol === 'https:',
  }
}

/** A query parsed with `schema`, or an `invalid_input` naming what is wrong with the link. */
export function parseLinkQuery<T extends z.ZodType>(schema: T, query: unknown): z.infer<T> {
  const parsed = schema.safeParse(query)
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')
    throw new AppError('invalid_input', `This link is not valid (${issues}).`)
  }
  return parsed.data
}
