import { randomBytes } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { Member } from '../../domain/member.ts'
import { localPlatform, type User } from '../../domain/user.ts'
import { AppError, isAppError } from '../../errors.ts'
import type { PlatformHost } from '../platform-http.ts'
import { callSlack, slackClient } from './client.ts'
import { readSlackCredentials } from './credentials.ts'
import { ensureSlackMember, isWorkspacePerson, slackPlatformName } from './members.ts'
import { authorizationCode, roundTripCookie, type OAuthCallback } from './oauth-callback.ts'
import type { SlackOptions } from './options.ts'
import { safeEqual } from '../../secret-token.ts'
import { readState, signState } from './signed-state.ts'

/**
 * Sign in with Slack (OpenID Connect): a member of a connected workspace signs in to the
 * dashboard as their member. Who they are comes from Slack's token and userInfo endpoints,
 * called by this server with the code; nothing in the callback's query string is trusted.
 */

export const signInCallbackPath = '/platforms/slack/signin/callback'

/** Holds the state and nonce of one sign-in in the browser that started it. */
const signInCookie = 'pk_slack_signin'
const signInLifetimeMs = 10 * 60_000

const pending = z.object({ st: z.string(), n: z.string() })

function signInKey(host: PlatformHost): Buffer {
  return host.deriveKey('slack sign-in')
}

const cookieOptions = (host: PlatformHost) => roundTripCookie(host.publicUrl, '/platforms/slack/signin')

/** Step one: a fresh state and nonce, kept in a short-lived signed cookie; the URL of Slack's authorize page. */
export function signInUrl(host: PlatformHost, options: SlackOptions, reply: FastifyReply): string {
  const state = randomBytes(16).toString('base64url')
  const nonce = randomBytes(16).toString('base64url')
  const value = signState(signInKey(host), { st: state, n: nonce }, host.clock.now() + signInLifetimeMs)
  reply.setCookie(signInCookie, value, { ...cookieOptions(host), maxAge: signInLifetimeMs / 1000 })
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
  if (!claims || !audience?.includes(options.clientId) || claims.exp * 1000 <= now || !safeEqual(claims.nonce, nonce)) {
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
  options: SlackOptions,
  request: FastifyRequest,
  reply: FastifyReply,
  callback: OAuthCallback,
): Promise<{ communityId: number }> {
  const cookie = request.cookies[signInCookie]
  reply.clearCookie(signInCookie, cookieOptions(host))
  const now = host.clock.now()
  const started = cookie === undefined ? null : readState(signInKey(host), cookie, pending, now)
  if (!started || callback.state === undefined || !safeEqual(callback.state, started.st)) {
    throw new AppError(
      'forbidden',
      'This Slack sign-in was not started in this browser, or took longer than 10 minutes. Try again.',
    )
  }
  const code = authorizationCode(callback, 'Slack did not sign you in')

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
  const claims = idTokenFor(tokens.data.id_token, options, started.n, now)
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

  const integration = await host.store.integrations.findByExternalId(slackPlatformName, teamId)
  if (!integration || !integration.active) {
    throw new AppError(
      'not_found',
      `The Slack workspace ${teamName} is not connected to a PolicyKit community. An admin of the community connects it from the community's settings.`,
    )
  }
  const { communityId } = integration
  const member =
    (await host.store.members.findByAccount(communityId, slackPlatformName, slackUserId)) ??
    (await newMember(host, options, communityId, integration.id, slackUserId))
  const user = await dashboardUser(host, communityId, member)
  await host.startSession(request, reply, user)
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
async function newMember(
  host: PlatformHost,
  options: SlackOptions,
  communityId: number,
  integrationId: number,
  slackUserId: string,
): Promise<Member> {
  const credentials = readSlackCredentials(await host.store.integrations.getCredentials(communityId, integrationId))
  const bot = slackClient(credentials.botToken, options)
  const { user } = slackUser.parse(await callSlack('users.info', () => bot.users.info({ user: slackUserId })))
  if (!isWorkspacePerson(user)) {
    throw new AppError('forbidden', 'This Slack account cannot sign in to PolicyKit.')
  }
  return ensureSlackMember(
    host.store,
    communityId,
    { id: user.id, name: user.name, displayName: user.real_name || user.name },
    host.clock.now(),
  )
}

/** The member's dashboard user, or a new one (no usable password) linked to the member. */
async function dashboardUser(host: PlatformHost, communityId: number, member: Member): Promise<User> {
  const { store } = host
  const existing = await localUser(host, communityId, member)
  if (existing) {
    return existing
  }
  const user = await host.createUser({ username: member.username, displayName: member.displayName })
  try {
    await store.members.linkAccount(communityId, member.id, {
      platform: localPlatform,
      externalId: String(user.id),
      username: user.username,
    })
    return user
  } catch (e) {
    // A second sign-in raced this one and linked its own user first: use that one.
    const linked = isAppError(e, 'conflict') ? await localUser(host, communityId, member) : undefined
    if (linked) {
      return linked
    }
    throw e
  }
}

async function localUser(host: PlatformHost, communityId: number, member: Member): Promise<User | undefined> {
  const accounts = await host.store.members.accounts(communityId, member.id)
  const local = accounts.find((a) => a.platform === localPlatform)
  return local ? host.store.users.get(Number(local.externalId)) : undefined
}
