import type { SigningKey } from './signing.ts'

/** How the next delivery goes wrong, as an attacker's would (or Discord's own URL check). */
export type Tamper = 'badSignature' | 'staleTimestamp' | 'unsigned'

export interface Delivery {
  status: number
  /** The parsed JSON answer (null when it was not JSON). */
  answer: Record<string, unknown> | null
}

/**
 * POSTs an interaction to the app's Interactions Endpoint URL as Discord does: JSON, signed with
 * `X-Signature-Ed25519` over `X-Signature-Timestamp` (seconds) + the raw body.
 */
export async function deliverSigned(input: {
  url: string
  key: SigningKey
  body: string
  nowMs: number
  tamper: Tamper | null
}): Promise<Delivery> {
  const seconds = Math.floor(input.nowMs / 1000) - (input.tamper === 'staleTimestamp' ? 600 : 0)
  const timestamp = String(seconds)
  const signature = input.key.sign(timestamp, input.body)
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'Discord-Interactions/1.0 (+https://discord.com)',
  }
  if (input.tamper !== 'unsigned') {
    headers['x-signature-timestamp'] = timestamp
    headers['x-signature-ed25519'] = input.tamper === 'badSignature' ? otherSignature(signature) : signature
  }
  const response = await fetch(input.url, { method: 'POST', headers, body: input.body })
  const text = await response.text()
  let answer: Record<string, unknown> | null = null
  try {
    const parsed: unknown = JSON.parse(text)
    answer = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? { ...parsed } : null
  } catch {
    answer = null
  }
  return { status: response.status, answer }
}

/** The signature with its last hex digit changed (always a change: setting it to 0 would not be when it is 0). */
function otherSignature(signature: string): string {
  return `${signature.slice(0, -1)}${signature.endsWith('0') ? '1' : '0'}`
}
