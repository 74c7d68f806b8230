import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

/** 32 random bytes, base64url: session cookies, CSRF tokens, API tokens and invite links. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url')
}

/** What is stored in place of a token: a leaked table gives no usable cookie, token or link. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

/** Constant-time string comparison (hashed first, so different lengths leak nothing either). */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest())
}
