import { z } from 'zod'
import type { DiscordOptions } from './options.ts'
import { allOrNone } from '../kit/all-or-none.ts'

/** The application's credentials: all four configure Discord, none leaves it off. */
const credentialVars = [
  'DISCORD_CLIENT_ID',
  'DISCORD_CLIENT_SECRET',
  'DISCORD_BOT_TOKEN',
  'DISCORD_PUBLIC_KEY',
] as const

/** Unset or empty (as an env file's `NAME=` leaves it): not given. */
const optionalSecret = z
  .string()
  .trim()
  .optional()
  .transform((value) => (value === '' ? undefined : value))

const url = (protocols: RegExp, what: string) => z.url({ protocol: protocols, error: `must be a URL ${what}` })
const withoutSlash = (value: string) => value.replace(/\/+$/, '')

/**
 * Discord's settings from the environment: the application's four credentials (all or none:
 * none leaves Discord off) and, for tests against a fake Discord, its REST, OAuth and gateway URLs.
 */
export const discordSettings = z
  .object({
    DISCORD_CLIENT_ID: optionalSecret.pipe(
      z
        .string()
        .regex(/^\d{15,21}$/, 'must be the application id (a snowflake of digits)')
        .optional(),
    ),
    DISCORD_CLIENT_SECRET: optionalSecret,
    DISCORD_BOT_TOKEN: optionalSecret,
    DISCORD_PUBLIC_KEY: optionalSecret.pipe(
      z
        .string()
        .regex(/^[0-9a-fA-F]{64}$/, 'must be the application public key (64 hex digits)')
        .optional(),
    ),
    DISCORD_API_URL: url(/^https?$/, '(http:// or https://, the REST base without /v10)')
      .transform(withoutSlash)
      .default('https://discord.com/api'),
    DISCORD_AUTHORIZE_URL: url(/^https?$/, '(http:// or https://, the OAuth2 authorize page)').default(
      'https://discord.com/oauth2/authorize',
    ),
    DISCORD_GATEWAY_URL: url(/^wss?$/, '(ws:// or wss://, the gateway)').default('wss://gateway.discord.gg'),
  })
  .superRefine(allOrNone('Discord', credentialVars))
  .transform((e): DiscordOptions | null =>
    e.DISCORD_CLIENT_ID !== undefined &&
    e.DISCORD_CLIENT_SECRET !== undefined &&
    e.DISCORD_BOT_TOKEN !== undefined &&
    e.DISCORD_PUBLIC_KEY !== undefined
      ? {
          clientId: e.DISCORD_CLIENT_ID,
          clientSecret: e.DISCORD_CLIENT_SECRET,
          botToken: e.DISCORD_BOT_TOKEN,
          publicKey: e.DISCORD_PUBLIC_KEY.toLowerCase(),
          apiUrl: e.DISCORD_API_URL,
          authorizeUrl: e.DISCORD_AUTHORIZE_URL,
          gatewayUrl: e.DISCORD_GATEWAY_URL,
        }
      : null,
  )
