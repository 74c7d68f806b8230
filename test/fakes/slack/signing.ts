import { createHmac } from 'node:crypto'

/** Slack's v0 request signature: `v0=` + hex HMAC-SHA256(signingSecret, `v0:${timestamp}:${rawBody}`). */
export function signSlackRequest(signingSecret: string, timestampSeconds: number, rawBody: string): string {
  const hmac = createHmac('sha256', signingSecret).update(`v0:${timestampSeconds}:${rawBody}`)
  return `v0=${hmac.digest('hex')}`
}

/** An HS256 JSON Web Token, as the fake's OpenID Connect `id_token`. */
export function signJwtHs256(claims: Record<string, unknown>, secret: string): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
  const unsigned = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}`
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`
}
