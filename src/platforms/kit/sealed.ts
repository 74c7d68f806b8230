import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'

/**
 * A secret kept in the browser for a round trip (a private key, an API key in a cookie):
 * AES-256-GCM under one of the server's derived keys, so only this server can read or alter it.
 */
export function seal(key: Buffer, data: Buffer): string {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  const sealed = Buffer.concat([cipher.update(data), cipher.final()])
  return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url')
}

/** What `seal` sealed with `key`; throws when it was sealed with another key or altered. */
export function unseal(key: Buffer, value: string): Buffer {
  const bytes = Buffer.from(value, 'base64url')
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12))
  decipher.setAuthTag(bytes.subarray(12, 28))
  return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()])
}
