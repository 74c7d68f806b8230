import { constants, createPrivateKey, generateKeyPairSync, privateDecrypt, randomBytes } from 'node:crypto'
import { z } from 'zod'
import { seal, unseal } from '../kit/sealed.ts'

/**
 * Discourse's User API Key flow, used to learn who someone is on a forum (Sign in with Discourse,
 * setting PolicyKit up from a forum): PolicyKit makes an RSA key pair for each attempt and sends
 * the browser to the forum's `/user-api-key/new` with the public key and a nonce; the forum sends
 * it back with the key it made for the user, encrypted with that public key. The private key
 * travels in the attempt's cookie, sealed under the server's key. PolicyKit decrypts the key,
 * asks the forum whose it is (`/session/current.json`) and revokes it (it was needed once).
 */

const grant = z.object({ key: z.string().min(1), nonce: z.string() })
const currentUser = z.object({
  current_user: z.object({
    id: z.number().int(),
    username: z.string(),
    name: z.string().nullable().optional(),
    admin: z.boolean().optional(),
    moderator: z.boolean().optional(),
  }),
})
export type ForumCurrentUser = z.infer<typeof currentUser>['current_user']

/** One attempt: where to send the browser, and what to keep (sealed key, client id) for the answer. */
export interface UserApiKeyAttempt {
  url: string
  clientId: string
  /** The attempt's private key, sealed under `sealKey`. */
  sealedKey: string
}

/** Starts an attempt on `forum`: the forum sends the browser back to `authRedirect` with `payload`. */
export function userApiKeyAttempt(
  sealKey: Buffer,
  input: { forum: string; authRedirect: string; nonce: string },
): UserApiKeyAttempt {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const clientId = randomBytes(16).toString('hex')
  const url = new URL(`${input.forum}/user-api-key/new`)
  url.searchParams.set('auth_redirect', input.authRedirect)
  url.searchParams.set('application_name', 'PolicyKit')
  url.searchParams.set('client_id', clientId)
  url.searchParams.set('nonce', input.nonce)
  url.searchParams.set('scopes', 'session_info')
  url.searchParams.set('public_key', pair.publicKey.export({ type: 'spki', format: 'pem' }).toString())
  return {
    url: url.href,
    clientId,
    sealedKey: seal(sealKey, pair.privateKey.export({ type: 'pkcs8', format: 'der' })),
  }
}

/** The forum's answer (`payload`) decrypted: the user's key and the nonce; null when it cannot be read. */
export function grantOfPayload(sealKey: Buffer, sealedKey: string, payload: string): z.infer<typeof grant> | null {
  try {
    const json = privateDecrypt(
      {
        key: createPrivateKey({ key: unseal(sealKey, sealedKey), format: 'der', type: 'pkcs8' }),
        padding: constants.RSA_PKCS1_PADDING,
      },
      Buffer.from(payload, 'base64'),
    )
    const parsed = grant.safeParse(JSON.parse(json.toString('utf8')))
    return parsed.success ? parsed.data : null
  } catch {
    return null
  }
}

/** A call with the user's key (`User-Api-Key`, `User-Api-Client-Id`); null when the forum says no. */
async function withUserKey(
  fetchFn: typeof fetch,
  forum: string,
  path: string,
  method: 'GET' | 'POST',
  key: string,
  clientId: string,
) {
  const response = await fetchFn(`${forum}${path}`, {
    method,
    headers: { 'user-api-key': key, 'user-api-client-id': clientId, accept: 'application/json' },
    signal: AbortSignal.timeout(10_000),
  })
  const text = await response.text()
  if (!response.ok) {
    return null
  }
  try {
    return JSON.parse(text) as unknown
  } catch {
    return null
  }
}

/** Who the user key belongs to (null when the forum does not say), then the key is revoked. */
export async function ownerOfUserKey(
  fetchFn: typeof fetch,
  forum: string,
  key: string,
  clientId: string,
): Promise<ForumCurrentUser | null> {
  try {
    const answer = currentUser.safeParse(
      await withUserKey(fetchFn, forum, '/session/current.json', 'GET', key, clientId),
    )
    return answer.success ? answer.data.current_user : null
  } finally {
    // The key served to learn who it is: it is given back at once.
    await withUserKey(fetchFn, forum, '/user-api-key/revoke', 'POST', key, clientId).catch(() => null)
  }
}
