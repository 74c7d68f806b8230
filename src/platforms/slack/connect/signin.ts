import type { FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { Integration } from '../../../domain/community.ts'
import type { Member } from '../../../domain/member.ts'
import { AppError } from '../../../errors.ts'
import { authorizationCode, type OAuthCallback } from '../../kit/oauth.ts'
import { signInRoundTrip } from '../../kit/sign-in-round-trip.ts'
import { constantTimeEqual } from '../../kit/verify-request.ts'
import type { PlatformHost } from '../../platform-http.ts'
import { callSlack, slackClient } from '../client.ts'
import { readSlackCredentials } from '../credentials.ts'
import { ensureSlackMember, isWorkspacePerson, slackPlatformName } from '../members.ts'
import type { SlackOptions } from '../options.ts'
import type { SlackDeps } from '../slack-deps.ts'

/**
 * Sign in with Slack (OpenID Connect): a member of a connected workspace signs in to the
 * dashboard as their member. Who they are comes from Slack's token and userInfo endpoints,
 * called by this server with the code; nothing in the callback's query string is trusted.
 */

export const signInCallbackPath = '/platforms/slack/signin/callback'

/** The state and nonce of one sign-in, kept in the browser that started it. */
const roundTrip = (host: PlatformHost) =>
  signInRoundTrip(host, { platform: slackPlatformName, title: 'Slack', cookiePath: '/platforms/slack/signin' })

/** Step one: a fresh state and nonce, kept in a short-lived signed cookie; the URL of Slack's authorize page. */
export function signInUrl(host: PlatformHost, options: SlackOptions, reply: FastifyReply): string {
  const { state, nonce } = roundTrip(host).start(reply)
  const url = new URL(options.oidcAuthorizeUrl)
  url.searchParams.set('response_type', 'code')
  url.searchParams.set('scope', 'openid profile')
  url.searchParams.set('client_id', options.clientId)
  url.searchParams.set('state', state)
  url.searchParams.set('nonce', nonce)
  url.searchParams.set('redirect_uri', `${host.publicUrl}${signInCallbackPath}`)
  return url.href
}

const tokenResponse = z.object({ access_token: z.string().min(1), id_token: z.string().min(1) })

const idTokenClaims = z.object({
  iss: z.literal('https://slack.com'),
  aud: z.union([z.string(), z.array(z.string())]),
  exp: z.number(),
  nonce: z.string(),
  sub: z.string(),
})

const userInfoClaims = z.object({
  sub: z.string(),
  'https://slack.com/user_id': z.string(),
  'https://slack.com/team_id': z.string(),
  'https://slack.com/team_name': z.string().optional(),
  name: z.string().optional(),
})

/**
 * The id_token's claims. It comes straight from Slack's token endpoint over TLS, so its
 * signature need not be checked (OpenID Connect Core 3.1.3.7); its audience, expiry and nonce are.
 */
function idTokenFor(idToken: string, options: SlackOptions, nonce: string, now: number): z.infer<typeof idTokenClaims> {
  const payload = idToken.split('.')[1]
  let claims: z.infer<typeof idTokenClaims> | null = null
  try {
    const parsed = idTokenClaims.safeParse(JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')))
    claims = parsed.success ? parsed.data : null
  } catch {
    claims = null
  }
  const audience = claims && (Array.isArray(claims.aud) ? claims.aud : [claims.aud])
  if (
    !claims ||
    !audience?.includes(options.clientId) ||
    claims.exp * 1000 <= now ||
    !constantTimeEqual(claims.nonce, nonce)
  ) {
    throw new AppError('forbidden', 'Slack sign-in could not be verified. Try again.')
  }
  return claims
}

/**
 * Step two: checks the state against the cookie, exchanges the code, matches the nonce, asks
 * Slack who the user is, finds their member in the community connected to their workspace (and
 * their dashboard user, made on first sign-in), and signs them in. Returns the community.
 */
export async function completeSignIn(
  host: PlatformHost,
  deps: SlackDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  callback: OAuthCallback,
): Promise<{ communityId: number }> {
  const { options, ports } = deps
  const now = host.now()
  const started = roundTrip(host).finish(request, reply, callback.state)
  const code = authorizationCode(callback, 'Slack did not sign you in', 'Slack')

  const tokens = tokenResponse.safeParse(
    await callSlack('openid.connect.token', () =>
      slackClient(undefined, options).openid.connect.token({
        client_id: options.clientId,
        client_secret: options.clientSecret,
        code,
        redirect_uri: `${host.publicUrl}${signInCallbackPath}`,
      }),
    ),
  )
  if (!tokens.success) {
    throw new AppError('platform_rejected', 'Slack did not return the sign-in tokens.')
  }
  const claims = idTokenFor(tokens.data.id_token, options, started.nonce, now)
  const info = userInfoClaims.safeParse(
    await callSlack('openid.connect.userInfo', () =>
      slackClient(tokens.data.access_token, options).openid.connect.userInfo(),
    ),
  )
  if (!info.success || info.data.sub !== claims.sub) {
    throw new AppError('forbidden', 'Slack sign-in could not be verified. Try again.')
  }
  const slackUserId = info.data['https://slack.com/user_id']
  const teamId = info.data['https://slack.com/team_id']
  const teamName = info.data['https://slack.com/team_name'] ?? teamId

  const integration = await ports.integrations.findByExternalId(teamId)
  if (!integration || !integration.active) {
    throw new AppError(
      'not_found',
      `The Slack workspace ${teamName} is not connected to a PolicyKit community. An admin of the community connects it from the community's settings.`,
    )
  }
  const { communityId } = integration
  const member =
    (await ports.members.findByAccount(communityId, slackUserId)) ?? (await newMember(deps, integration, slackUserId))
  const user = await host.signInMember(request, reply, communityId, member)
  host.logger.info({ communityId, memberId: member.id, userId: user.id }, 'signed in with Slack')
  return { communityId }
}

const slackUser = z.object({
  user: z.object({
    id: z.string(),
    name: z.string(),
    real_name: z.string().optional(),
    deleted: z.boolean().optional(),
    is_bot: z.boolean().optional(),
    is_app_user: z.boolean().optional(),
  }),
})

/** Someone who joined the workspace since the install: their handle and name come from `users.info`. */
async function newMember(deps: SlackDeps, integration: Integration, slackUserId: string): Promise<Member> {
  const { ports, options } = deps
  const credentials = readSlackCredentials(await ports.integrations.credentials(integration))
  const bot = slackClient(credentials.botToken, options)
  const { user } = slackUser.parse(await callSlack('users.info', () => bot.users.info({ user: slackUserId })))
  if (!isWorkspacePerson(user)) {
    throw new AppError('forbidden', 'This Slack account cannot sign in to PolicyKit.')
  }
  return ensureSlackMember(ports.members, integration.communityId, {
    id: user.id,
    name: user.name,
    displayName: user.real_name || user.name,
  })
}
