import { randomBytes } from 'node:crypto'

/** Discord's epoch (2015-01-01T00:00:00Z): a snowflake's top 42 bits count milliseconds from it. */
const discordEpoch = 1_420_070_400_000n

/** Identifiers shaped like Discord's, unique within one fake, following the fake's clock. */
export interface Snowflakes {
  /** A snowflake (a decimal string): `(ms since 2015) << 22 | increment`, strictly increasing. */
  next(): string
  /** An unguessable token (bot tokens, webhook and interaction tokens, OAuth codes). */
  token(): string
}

export function createSnowflakes(now: () => number): Snowflakes {
  let last = 0n
  return {
    next() {
      const candidate = (BigInt(Math.floor(now())) - discordEpoch) << 22n
      last = candidate > last ? candidate : last + 1n
      return last.toString()
    },
    token: () => randomBytes(24).toString('base64url'),
  }
}
