import type { FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { AppError } from '../../../errors.ts'
import { browserRoute, connectErrorHandler, installedSettingsUrl } from '../../kit/browser-pages.ts'
import { installLinkQuery, resumeCommunityInstall, startCommunityInstall } from '../../kit/community-install.ts'
import { activate, linkInstaller, saveIntegration } from '../../kit/install-steps.ts'
import { authorizationCode, oauthCallbackQuery, parseLinkQuery, roundTripCookie } from '../../kit/oauth.ts'
import { readState, signState } from '../../kit/signed-state.ts'
import { signInRoundTrip } from '../../kit/sign-in-round-trip.ts'
import type { PlatformLinks } from '../../platform.ts'
import type { PlatformHost, PlatformHttp } from '../../platform-http.ts'
import type { RedditDeps } from '../deps.ts'
import { accountId } from '../listen/poller.ts'
import { authorizeUrl, chooseSubreddit, connectableSubreddits, exchangeCode } from './grant.ts'
import { importModerators } from './import-moderators.ts'
import { pickPage } from './pick-page.ts'
import { redditModScopes, redditSignInScopes } from './scopes.ts'
import { completeSetup, redditSetup, redditSetupPath, setupAuthorizeUrl } from './setup-install.ts'

export const redditLinks = {
  title: 'Reddit',
  installPath: '/platforms/reddit/install',
  signInPath: '/platforms/reddit/signin',
  setup: {
    /** The same route: `?setup=<set-up token>&kit=<kit>` founds the first community (setup-install.ts). */
    path: redditSetupPath,
    place: 'subreddit',
    who: 'a moderator of the subreddit with the posts, access and mail permissions (or all)',
    how: 'Authorize PolicyKit on Reddit and pick one of the subreddits you moderate',
  },
} satisfies PlatformLinks

const lifetimeMs = 10 * 60_000
const installQuery = installLinkQuery.extend({
  /** Which of the moderator's subreddits to connect (else: the only one, or a page to pick). */
  subreddit: z
    .string()
    .regex(/^[A-Za-z0-9_]{2,21}$/)
    .optional(),
})

/** The subreddit picked before going to Reddit, for the callback (this browser only). */
const pickCookie = 'pk_reddit_pick'
const signInPrefix = 'signin.'
/** Sign in with Reddit's state and nonce, in the browser that started it. */
const redditSignIn = (host: PlatformHost) =>
  signInRoundTrip(host, { platform: 'reddit', title: 'Reddit', cookiePath: '/platforms/reddit' })
const pick = z.object({ sr: z.string() })

/**
 * Connecting a subreddit, founding the first community from one (Set up with Reddit) and Sign in
 * with Reddit, mounted under `/platforms/reddit`: `GET /install?community=<id>[&subreddit=<name>]`
 * (a moderator authorizes PolicyKit, permanent, moderator scopes),
 * `GET /install?setup=<set-up token>&kit=<kit>[&subreddit=<name>]`, `GET /signin` (identity only) and `GET /oauth/callback` for both (Reddit
 * lets an app have one redirect URI).
 */
export function redditConnectRoutes(deps: RedditDeps): PlatformHttp {
  const { ports } = deps
  return async (app, host) => {
    const setup = redditSetup(host)
    await app.register(async (routes) => {
      routes.setErrorHandler(connectErrorHandler(setup, redditLinks.title))

      const cookieOptions = () => roundTripCookie(host.publicUrl, '/platforms/reddit')

      routes.get('/install', browserRoute, async (request, reply) => {
        const { community, subreddit, setup: token, kit } = parseLinkQuery(installQuery, request.query)
        if (token !== undefined) {
          const url = await setupAuthorizeUrl(setup, host, deps, reply, { token, kit, subreddit })
          return reply.header('cache-control', 'no-store').redirect(url)
        }
        if (community === undefined) {
          throw new AppError('invalid_input', 'This link is not valid (community: required).')
        }
        const state = await startCommunityInstall(host, request, {
          platform: 'reddit',
          title: 'Reddit',
          communityId: community,
        })
        if (subreddit === undefined) {
          reply.clearCookie(pickCookie, cookieOptions())
        } else {
          reply.setCookie(
            pickCookie,
            signState(host.deriveKey('reddit pick'), { sr: subreddit }, host.now() + lifetimeMs),
            {
              ...cookieOptions(),
              maxAge: lifetimeMs / 1000,
            },
          )
        }
        return reply.redirect(authorizeUrl(host, deps, { state, scopes: redditModScopes, permanent: true }))
      })

      routes.get('/signin', browserRoute, async (_request, reply) => {
        const { state } = redditSignIn(host).start(reply)
        return reply.header('cache-control', 'no-store').redirect(
          authorizeUrl(host, deps, {
            state: `${signInPrefix}${state}`,
            scopes: redditSignInScopes,
            permanent: false,
          }),
        )
      })

      routes.get('/oauth/callback', browserRoute, async (request, reply) => {
        const callback = parseLinkQuery(oauthCallbackQuery, request.query)
        if (callback.state?.startsWith(signInPrefix) === true) {
          const communityId = await completeSignIn(
            host,
            deps,
            request,
            reply,
            callback.state.slice(signInPrefix.length),
            callback,
          )
          return reply.redirect(`/c/${communityId}`)
        }
        if (setup.isSetupState(callback.state)) {
          return completeSetup(setup, host, deps, request, reply, callback)
        }
        const { communityId, code, member } = await resumeCommunityInstall(host, request, callback, {
          platform: 'reddit',
          title: 'Reddit',
          refused: 'Reddit did not authorize PolicyKit',
        })
        const picked = request.cookies[pickCookie]
        reply.clearCookie(pickCookie, cookieOptions())
        const wanted = picked === undefined ? null : readState(host.deriveKey('reddit pick'), picked, pick, host.now())
        const grant = await exchangeCode(host, deps, code)
        const chosen = chooseSubreddit(grant.username, await connectableSubreddits(deps, grant.accessToken), wanted?.sr)
        if (chosen.pick) {
          return pickPage(
            reply,
            chosen.pick,
            (name) =>
              `/platforms/reddit/install?${new URLSearchParams({ community: String(communityId), subreddit: name })}`,
          )
        }
        const existing = await ports.integrations.findByExternalId(chosen.subreddit.fullname)
        if (existing && existing.communityId !== communityId) {
          throw new AppError(
            'conflict',
            `r/${chosen.subreddit.name} is already connected to another PolicyKit community.`,
          )
        }
        const integration = await saveIntegration(ports, communityId, existing, {
          externalId: chosen.subreddit.fullname,
          config: { subreddit: chosen.subreddit.name, moderator: grant.username },
          credentials: grant.credentials,
        })
        await linkInstaller(ports, communityId, member, { id: accountId(grant.username), name: grant.username })
        const activation = await activate(ports, communityId, member.id, integration)
        const moderators = await importModerators(deps, communityId, integration.id)
        host.logger.info(
          { communityId, subreddit: chosen.subreddit.name, activation: activation.status, moderators },
          `r/${chosen.subreddit.name} connected`,
        )
        return reply.redirect(installedSettingsUrl('reddit', communityId, activation))
      })
    })
  }
}

/** Sign in with Reddit: the person's Reddit account, linked to a member of a community with Reddit connected. */
async function completeSignIn(
  host: PlatformHost,
  deps: RedditDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  state: string,
  callback: z.infer<typeof oauthCallbackQuery>,
): Promise<number> {
  redditSignIn(host).finish(request, reply, state)
  const code = authorizationCode(callback, 'Reddit did not sign you in', 'Reddit')
  const grant = await exchangeCode(host, deps, code)
  for (const integration of await deps.ports.integrations.listAll({ activeOnly: true })) {
    const member = await deps.ports.members.findByAccount(integration.communityId, accountId(grant.username))
    if (member) {
      const user = await host.signInMember(request, reply, integration.communityId, member)
      host.logger.info(
        { communityId: integration.communityId, memberId: member.id, userId: user.id },
        'signed in with Reddit',
      )
      return integration.communityId
    }
  }
  throw new AppError(
    'not_found',
    `u/${grant.username} is not a member of a PolicyKit community with Reddit connected. Post or vote in the subreddit first, or ask an admin.`,
  )
}
