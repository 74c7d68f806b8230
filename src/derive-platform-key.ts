import { hkdfSync } from 'node:crypto'

/**
 * A 32-byte key for one purpose of platform code, derived from the server key. The info is
 * prefixed so that no purpose a platform names can give it the server's own derived keys (the
 * session cookie's).
 */
export function derivePlatformKey(secretKey: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secretKey, Buffer.alloc(0), `policykit platform: ${purpose}`, 32))
}
