import { createHash, createHmac, createPublicKey, timingSafeEqual, verify } from 'node:crypto'

/** Equal strings, compared in constant time (hashed first, so different lengths leak nothing either). */
export function constantTimeEqual(a: string, b: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest()
  return timingSafeEqual(digest(a), digest(b))
}

/**
 * An HMAC-SHA256 signature over `<prefix><timestamp><separator><body>` (Slack's v0:
 * `v0:<ts>:<body>`, `v0=<hex>`), made within `windowMs` of `now` either way: an old timestamp is
 * a replay, one from the future no more trustworthy. `timestamp` is in seconds, as platforms
 * send it.
 */
export function verifyHmacRequest(input: {
  secret: string
  signature: string | undefined
  timestamp: string | undefined
  body: string
  now: number
  windowMs: number
  /** Builds the signed text from the timestamp and the body. */
  basestring(timestamp: string, body: string): string
  /** The signature header's prefix before the hex digest (`v0=`, `sha256=`). */
  prefix: string
}): boolean {
  const { signature, timestamp } = input
  if (signature === undefined || timestamp === undefined || !/^\d{1,12}$/.test(timestamp)) {
    return false
  }
  if (Math.abs(Number(timestamp) * 1000 - input.now) > input.windowMs) {
    return false
  }
  const digest = createHmac('sha256', input.secret).update(input.basestring(timestamp, input.body)).digest('hex')
  return constantTimeEqual(signature, `${input.prefix}${digest}`)
}

/** DER prefix of an Ed25519 public key (SubjectPublicKeyInfo), before its 32 raw bytes. */
const ed25519SpkiPrefix = Buffer.from('302a300506032b6570032100', 'hex')

/**
 * An Ed25519 signature (hex) over `<timestamp><body>` by `publicKeyHex` (32 bytes, hex), as
 * Discord signs its interactions, made within `windowMs` of `now`.
 */
export function verifyEd25519Request(input: {
  publicKeyHex: string
  signature: string | undefined
  timestamp: string | undefined
  body: string
  now: number
  windowMs: number
}): boolean {
  const { signature, timestamp } = input
  if (
    signature === undefined ||
    timestamp === undefined ||
    !/^[0-9a-f]{128}$/i.test(signature) ||
    !/^\d{1,12}$/.test(timestamp) ||
    !/^[0-9a-f]{64}$/i.test(input.publicKeyHex)
  ) {
    return false
  }
  if (Math.abs(Number(timestamp) * 1000 - input.now) > input.windowMs) {
    return false
  }
  const key = createPublicKey({
    key: Buffer.concat([ed25519SpkiPrefix, Buffer.from(input.publicKeyHex, 'hex')]),
    format: 'der',
    type: 'spki',
  })
  return verify(null, Buffer.from(`${timestamp}${input.body}`), key, Buffer.from(signature, 'hex'))
}

/** The one value of a header (a repeated header counts as absent). */
export function headerValue(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name]
  return typeof value === 'string' ? value : undefined
}
