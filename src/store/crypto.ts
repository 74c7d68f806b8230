import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { makePrivateFile } from './make-private.ts'
import type { JsonObject } from '../domain/json.ts'

/**
 * Integration credentials at rest: AES-256-GCM with a random 96-bit IV per value, stored as
 * `v1.<iv>.<tag>.<ciphertext>` (base64url). The version prefix lets the format change later
 * without guessing what an old value is.
 */
const formatVersion = 'v1'
const keyBytes = 32
const ivBytes = 12
const tagBytes = 16

function checkKey(key: Buffer): void {
  if (key.length !== keyBytes) {
    throw new Error(`secret key must be ${keyBytes} bytes, got ${key.length}`)
  }
}

export function encryptJson(key: Buffer, value: JsonObject): string {
  checkKey(key)
  const iv = randomBytes(ivBytes)
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()])
  const tag = cipher.getAuthTag()
  return [formatVersion, iv, tag, ciphertext]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.')
}

/**
 * A wrong key and altered text look the same to GCM; both are operator problems (the server
 * key changed, the database was edited), so this throws a plain Error rather than an AppError.
 */
export function decryptJson(key: Buffer, text: string): JsonObject {
  checkKey(key)
  const [version, iv, tag, ciphertext, ...rest] = text.split('.')
  if (
    version !== formatVersion ||
    iv === undefined ||
    tag === undefined ||
    ciphertext === undefined ||
    rest.length > 0
  ) {
    throw new Error(`cannot decrypt: not a ${formatVersion} encrypted value`)
  }
  const ivBuffer = Buffer.from(iv, 'base64url')
  const tagBuffer = Buffer.from(tag, 'base64url')
  if (ivBuffer.length !== ivBytes || tagBuffer.length !== tagBytes) {
    throw new Error(`cannot decrypt: malformed ${formatVersion} encrypted value`)
  }
  let plaintext: string
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, ivBuffer, {
      authTagLength: tagBytes,
    })
    decipher.setAuthTag(tagBuffer)
    plaintext = Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString(
      'utf8',
    )
  } catch (e) {
    throw new Error('cannot decrypt: wrong secret key, or the encrypted value was altered', { cause: e })
  }
  const value: unknown = JSON.parse(plaintext)
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error('cannot decrypt: the decrypted value is not a JSON object')
  }
  // Authenticated and written by encryptJson, so it is the object that was encrypted.
  return value as JsonObject
}

const hexKey = /^[0-9a-f]{64}$/i

/**
 * Reads the server's secret key, creating it (random, hex, mode 0600, in a 0700 directory) on
 * first start, and tightening an existing one to 0600. A
 * malformed file is refused rather than replaced: replacing it would make every stored
 * credential unreadable.
 */
export function loadOrCreateSecretKey(path: string): Buffer {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
  try {
    writeFileSync(path, `${randomBytes(keyBytes).toString('hex')}\n`, {
      mode: 0o600,
      flag: 'wx',
    })
  } catch (e) {
    // EEXIST: it was there already (or another process just wrote it); read it below.
    if (!(e instanceof Error && 'code' in e && e.code === 'EEXIST')) {
      throw e
    }
  }
  // One written by an earlier version may be readable by others.
  makePrivateFile(path)
  const text = readFileSync(path, 'utf8').trim()
  if (!hexKey.test(text)) {
    throw new Error(`secret key file ${path} is malformed: expected ${keyBytes * 2} hex characters`)
  }
  return Buffer.from(text, 'hex')
}
