import { z } from 'zod'
import type { SlackOptions } from './options.ts'
import { allOrNone } from '../kit/all-or-none.ts'

/** The Slack app's credentials: all three configure Slack, none leaves it off. */
const credentialVars = ['SLACK_CLIENT_ID', 'SLACK_CLIENT_SECRET', 'SLACK_SIGNING_SECRET'] as const

/** Unset or empty (as an env file's `NAME=` leaves it): not given. */
const optionalSecret = z
  .string()
  .trim()
  .optional()
  .transform((value) => (value === '' ? undefined : value))

const httpUrl = (what: string) => z.url({ protocol: /^https?$/, error: `must be an http:// or https:// URL ${what}` })

/**
 * Slack's settings from the environment: the app's three credentials (all or none: none leaves
 * Slack off) and, for tests against a fake Slack, its URLs.
 */
export const slackSettings = z
  .object({
    SLACK_CLIENT_ID: optionalSecret,
    SLACK_CLIENT_SECRET: optionalSecret,
    SLACK_SIGNING_SECRET: optionalSecret,
    SLACK_API_URL: httpUrl('(the Web API base)')
      .transform((url) => (url.endsWith('/') ? url : `${url}/`))
      .default('https://slack.com/api/'),
    SLACK_AUTHORIZE_URL: httpUrl('(the OAuth v2 authorize page)').default('https://slack.com/oauth/v2/authorize'),
    SLACK_OIDC_AUTHORIZE_URL: httpUrl('(the OpenID Connect authorize page)').default(
      'https://slack.com/openid/connect/authorize',
    ),
  })
  .superRefine(allOrNone('Slack', credentialVars))
  .transform((e): SlackOptions | null =>
    e.SLACK_CLIENT_ID !== undefined && e.SLACK_CLIENT_SECRET !== undefined && e.SLACK_SIGNING_SECRET !== undefined
      ? {
          clientId: e.SLACK_CLIENT_ID,
          clientSecret: e.SLACK_CLIENT_SECRET,
          signingSecret: e.SLACK_SIGNING_SECRET,
          apiUrl: e.SLACK_API_URL,
          authorizeUrl: e.SLACK_AUTHORIZE_URL,
          oidcAuthorizeUrl: e.SLACK_OIDC_AUTHORIZE_URL,
        }
      : null,
  )
