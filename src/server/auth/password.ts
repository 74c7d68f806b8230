import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto'

/** scrypt's cost: N=2^15, r=8 takes 32 MiB and tens of milliseconds per hash. */
const params = { N: 2 ** 15, r: 8, p: 1 }
const maxmem = 64 * 1024 * 1024
const saltBytes = 16
const hashBytes = 32

function derive(password: string, salt: Buffer, length: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, length, { ...options, maxmem }, (error, key) => {
      if (error) {
        reject(error)
      } else {
        resolve(key)
      }
    })
  })
}

/** A self-describing string: `scrypt$<N>$<r>$<p>$<salt b64>$<hash b64>`. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(saltBytes)
  const hash = await derive(password, salt, hashBytes, params)
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64'), hash.toString('base64')].join('$')
}

const stored = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/

/**
 * Whether `password` matches the stored string, compared in constant time. A string that is
 * not one `hashPassword` writes is a corrupt row, not a wrong password: it throws.
 */
export async function verifyPassword(password: string, storedHash: string): Promise<boolean> {
  const match = stored.exec(storedHash)
  const [, n, r, p, salt, hash] = match ?? []
  if (n === undefined || r === undefined || p === undefined || salt === undefined || hash === undefined) {
    throw new Error('corrupt password hash: not a scrypt string')
  }
  const expected = Buffer.from(hash, 'base64')
  const actual = await derive(password, Buffer.from(salt, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  })
  return timingSafeEqual(actual, expected)
}

/**
 * Spends the time a real check takes, so a sign-in for a username that does not exist answers
 * no faster than one with a wrong password (no hint which usernames exist).
 */
export async function burnPasswordCheck(password: string): Promise<void> {
  await derive(password, Buffer.alloc(saltBytes), hashBytes, params)
}
