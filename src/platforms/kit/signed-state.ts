import { createHmac, timingSafeEqual } from 'node:crypto'
import type { z } from 'zod'

/**
 * A small tamper-proof value for a round trip through the browser and Slack (OAuth `state`,
 * the sign-in cookie): `<payload>.<HMAC-SHA256>`, both base64url, with an expiry inside. Only
 * this server, holding the key, can make one; nothing in it is secret.
 */
export function signState(key: Buffer, payload: object, expiresAt: number): string {
  const body = Buffer.from(JSON.stringify({ ...payload, exp: expiresAt })).toString('base64url')
  return `${body}.${mac(key, body)}`
}

/**
 * The payload of a value `signState` made with `key`, or null when it is malformed, was made
 * with another key, was altered, or expired (`now` past its expiry).
 */
export function readState<T extends z.ZodType<object>>(
  key: Buffer,
  value: string,
  schema: T,
  now: number,
): z.infer<T> | null {
  const [body, signature, extra] = value.split('.')
  if (body === undefined || signature === undefined || extra !== undefined) {
    return null
  }
  const expected = Buffer.from(mac(key, body))
  const given = Buffer.from(signature)
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return null
  }
  let json: unknown
  try {
    json = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'))
  } catch {
    return null
  }
  const exp = typeof json === 'object' && json !== null && 'exp' in json ? json.exp : undefined
  if (typeof exp !== 'number' || exp <= now) {
    return null
  }
  const parsed = schema.safeParse(json)
  return parsed.success ? parsed.data : null
}

function mac(key: Buffer, body: string): string {
  return createHmac('sha256', key).update(body).digest('base64url')
}
