import { randomBytes } from 'node:crypto'

/** Identifiers shaped like Slack's, unique within one fake; `ts` values follow the fake's clock. */
export interface Ids {
  /** `U00000001A`-style: the prefix, then 9 upper-case base-36 characters (the spec wants 8 or more). */
  next(prefix: string): string
  /** A message timestamp `1767225600.000001` from `now()`, strictly increasing. */
  nextTs(): string
  /** A token such as `xoxb-…` with an unguessable tail. */
  token(prefix: 'xoxb' | 'xoxp'): string
  secret(): string
}

export function createIds(now: () => number): Ids {
  let counter = 0
  let lastMicros = 0
  return {
    next(prefix) {
      counter++
      return prefix + counter.toString(36).toUpperCase().padStart(9, '0')
    },
    nextTs() {
      const micros = Math.max(Math.floor(now()) * 1000, lastMicros + 1)
      lastMicros = micros
      return `${Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, '0')}`
    },
    token(prefix) {
      counter++
      return `${prefix}-${1000 + counter}-${2000 + counter}-${randomBytes(12).toString('hex')}`
    },
    secret: () => randomBytes(16).toString('hex'),
  }
}
