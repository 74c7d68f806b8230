import type { FastifyReply, FastifyRequest } from 'fastify'
import { Routes } from 'discord-api-types/v10'
import { z } from 'zod'
import type { Member } from '../../../domain/member.ts'
import { AppError, isAppError } from '../../../errors.ts'
import { browserRoute, signInErrorHandler } from '../../kit/browser-pages.ts'
import { authorizationCode, oauthCallbackQuery, parseLinkQuery, type OAuthCallback } from '../../kit/oauth.ts'
import { signInRoundTrip } from '../../kit/sign-in-round-trip.ts'
import type { PlatformHost, PlatformHttp } from '../../platform-http.ts'
import { callDiscord, discordRest } from '../client.ts'
import type { DiscordDeps } from '../deps.ts'
import { discordPlatformName } from '../names.ts'
import { ensureDiscordMember, type DiscordUser } from '../users.ts'
import { grantedUser } from './grant.ts'

/**
 * Sign in with Discord (OAuth2, the `identify` scope only): a member of a connected guild signs
 * in to the dashboard as their member. Who they are comes from Discord (`/users/@me` with the
 * token this server got for the code); nothing in the callback's query string is trusted but
 * the state, checked against the signed cookie of the browser that started.
 */

export const discordSignInPath = '/platforms/discord/signin'
export const discordSignInCallbackPath = `${discordSignInPath}/callback`
const callbackPath = discordSignInCallbackPath

const roundTrip = (host: PlatformHost) =>
  signInRoundTrip(host, { platform: discordPlatformName, title: 'Discord', cookiePath: discordSignInPath })

/** Step one: a fresh state, kept in a short-lived signed cookie; the URL of Discord's authorize page. */
export function discordSignInUrl(host: PlatformHost, deps: DiscordDeps, reply: FastifyReply): string {
  const { state } = roundTrip(host).start(reply)
  const url = new URL(deps.options.authorizeUrl)
  url.searchParams.set('client_id', deps.options.clientId)
  url.searchParams.set('response_type', 'code')
  url.searchParams.set('scope', 'identify')
  url.searchParams.set('redirect_uri', `${host.publicUrl}${callbackPath}`)
  url.searchParams.set('state', state)
  url.searchParams.set('prompt', 'none')
  return url.href
}

const guildMember = z.object({ user: z.object({ id: z.string(), bot: z.boolean().optional() }) })

/** Whether `userId` is a person in the guild, asked of Discord with the bot (an unknown member: no). */
async function inGuild(deps: DiscordDeps, guildId: string, userId: string): Promise<boolean> {
  try {
    const member = guildMember.parse(
      await callDiscord('read the member', () => discordRest(deps.options).get(Routes.guildMember(guildId, userId))),
    )
    return member.user.bot !== true
  } catch (e) {
    if (isAppError(e, 'platform_rejected')) {
      return false
    }
    throw e
  }
}

/**
 * The member a Discord user signs in as: one already linked to their account in a connected
 * guild's community (the first, by connection), else, in the first connected guild they are in,
 * a member made for them (as the gateway makes one on first sight).
 */
async function memberOfDiscordUser(
  deps: DiscordDeps,
  user: DiscordUser,
): Promise<{ communityId: number; member: Member } | null> {
  const { ports } = deps
  const integrations = await ports.integrations.listAll({ activeOnly: true })
  for (const { communityId } of integrations) {
    const member = await ports.members.findByAccount(communityId, user.id)
    if (member) {
      return { communityId, member }
    }
  }
  for (const { communityId, externalId } of integrations) {
    if (await inGuild(deps, externalId, user.id)) {
      const member = await ensureDiscordMember(ports.members, communityId, user)
      return { communityId, member }
    }
  }
  return null
}

/**
 * Step two: checks the state against the cookie (else: forbidden, nothing asked of Discord),
 * exchanges the code, asks Discord who approved, and signs in their member. Returns the community.
 */
export async function completeDiscordSignIn(
  host: PlatformHost,
  deps: DiscordDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  callback: OAuthCallback,
): Promise<{ communityId: number }> {
  roundTrip(host).finish(request, reply, callback.state)
  const code = authorizationCode(callback, 'Discord did not sign you in', 'Discord')
  const user = await grantedUser(deps.options, code, `${host.publicUrl}${callbackPath}`)
  if (user.bot === true) {
    throw new AppError('forbidden', 'A bot cannot sign in to PolicyKit.')
  }
  const found = await memberOfDiscordUser(deps, user)
  if (found === null) {
    throw new AppError(
      'not_found',
      `${user.username} is in no Discord server connected to a PolicyKit community. An admin of the community connects it from the community's settings.`,
    )
  }
  const signedIn = await host.signInMember(request, reply, found.communityId, found.member)
  host.logger.info(
    { platform: discordPlatformName, communityId: found.communityId, memberId: found.member.id, userId: signedIn.id },
    'signed in with Discord',
  )
  return { communityId: found.communityId }
}

/** `GET /platforms/discord/signin` and its callback: browser navigations, answered with a page on error. */
export function discordSignInRoutes(deps: DiscordDeps): PlatformHttp {
  return async (app, host) => {
    await app.register(async (routes) => {
      routes.setErrorHandler(signInErrorHandler('Discord'))
      routes.get('/signin', browserRoute, async (_request, reply) =>
        reply.header('cache-control', 'no-store').redirect(discordSignInUrl(host, deps, reply)),
      )
      routes.get('/signin/callback', browserRoute, async (request, reply) => {
        const callback = parseLinkQuery(oauthCallbackQuery, request.query)
        const { communityId } = await completeDiscordSignIn(host, deps, request, reply, callback)
        return reply.redirect(`/c/${communityId}`)
      })
    })
  }
}
