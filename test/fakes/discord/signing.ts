import { generateKeyPairSync, sign } from 'node:crypto'
import type { KeyObject } from 'node:crypto'

/** The application's Ed25519 key pair: Discord signs interactions with the private half. */
export interface SigningKey {
  /** The public key as the developer portal shows it (32 bytes, hex): `DISCORD_PUBLIC_KEY`. */
  publicKeyHex: string
  /** Hex Ed25519 signature over `timestamp + body`, as `X-Signature-Ed25519` carries it. */
  sign(timestamp: string, body: string): string
}

export function createSigningKey(): SigningKey {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519')
  return {
    publicKeyHex: rawPublicKey(publicKey).toString('hex'),
    sign: (timestamp, body) => sign(null, Buffer.from(timestamp + body), privateKey).toString('hex'),
  }
}

function rawPublicKey(key: KeyObject): Buffer {
  const jwk = key.export({ format: 'jwk' })
  if (typeof jwk.x !== 'string') {
    throw new Error('fake Discord: an Ed25519 public key without x')
  }
  return Buffer.from(jwk.x, 'base64url')
}
