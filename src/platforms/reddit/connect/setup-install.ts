import type { FastifyReply, FastifyRequest } from 'fastify'
import { AppError } from '../../../errors.ts'
import { firstCommunitySetup, type FirstCommunitySetup } from '../../kit/first-community-setup.ts'
import { authorizationCode, type OAuthCallback } from '../../kit/oauth.ts'
import type { PlatformHost } from '../../platform-http.ts'
import type { RedditDeps } from '../deps.ts'
import { accountId } from '../listen/poller.ts'
import { authorizeUrl, callbackPath, chooseSubreddit, connectableSubreddits, exchangeCode } from './grant.ts'
import { importModerators } from './import-moderators.ts'
import { pickPage } from './pick-page.ts'
import { redditModScopes } from './scopes.ts'

/**
 * Set up with Reddit: on first run, a moderator founds the first community from a subreddit with
 * the set-up token and a starter kit (`GET /platforms/reddit/install?setup=…&kit=…[&subreddit=…]`):
 * the same OAuth authorization as a community's connection (permanent, moderator scopes), bound to
 * the browser by the kit's first-community set-up and told apart by its state. Only a subreddit
 * where they hold the mod permissions PolicyKit needs can found it; with several, they pick one.
 */

export const redditSetupPath = '/platforms/reddit/install'

export function redditSetup(host: PlatformHost): FirstCommunitySetup {
  return firstCommunitySetup(host, {
    platform: 'reddit',
    title: 'Reddit',
    cookiePath: '/platforms/reddit',
    startPath: redditSetupPath,
    callback: { path: callbackPath, shared: true },
  })
}

/** Step one: the URL of Reddit's authorize page, once the token and kit are found good. */
export async function setupAuthorizeUrl(
  setup: FirstCommunitySetup,
  host: PlatformHost,
  deps: RedditDeps,
  reply: FastifyReply,
  start: { token: string; kit: string | undefined; subreddit: string | undefined },
): Promise<string> {
  const { state } = await setup.start(
    reply,
    { token: start.token, kit: start.kit },
    start.subreddit === undefined ? {} : { sr: start.subreddit },
  )
  return authorizeUrl(host, deps, { state, scopes: redditModScopes, permanent: true })
}

/**
 * Step two, Reddit's redirect back: checks the state against the cookie, exchanges the code,
 * finds the subreddits the moderator may connect (a page to pick one when there are several and
 * none was picked), and founds the community named after the subreddit with the chosen kit, the
 * moderator its admin, the connection on; its moderators become members and the founder is
 * signed in. Answers the redirect (or the pick page).
 */
export async function completeSetup(
  setup: FirstCommunitySetup,
  host: PlatformHost,
  deps: RedditDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  callback: OAuthCallback,
) {
  const pending = await setup.resume(request, reply, setup.nonceOfState(callback.state))
  const code = authorizationCode(callback, 'Reddit did not authorize PolicyKit', 'Reddit')
  const { ports } = deps
  const grant = await exchangeCode(host, deps, code)
  const chosen = chooseSubreddit(
    grant.username,
    await connectableSubreddits(deps, grant.accessToken),
    pending.extra['sr'],
  )
  if (chosen.pick) {
    // The link repeats the set-up token, which this browser opened the set-up with.
    return pickPage(
      reply,
      chosen.pick,
      (name) =>
        `${redditSetupPath}?${new URLSearchParams({ setup: pending.token, kit: pending.kit, subreddit: name })}`,
    )
  }
  const { subreddit } = chosen
  if (await ports.integrations.findByExternalId(subreddit.fullname)) {
    throw new AppError('conflict', `r/${subreddit.name} is already connected to a PolicyKit community.`)
  }
  const { communityId } = await setup.found(
    request,
    reply,
    {
      pending,
      place: subreddit.fullname,
      communityName: `r/${subreddit.name}`,
      founder: {
        username: grant.username,
        displayName: grant.username,
        account: { platform: 'reddit', externalId: accountId(grant.username), username: grant.username },
      },
      integration: {
        platform: 'reddit',
        externalId: subreddit.fullname,
        config: { subreddit: subreddit.name, moderator: grant.username },
        credentials: grant.credentials,
      },
    },
    async (id) => {
      const integration = await ports.integrations.findByExternalId(subreddit.fullname)
      return integration ? importModerators(deps, id, integration.id) : 0
    },
  )
  return reply.redirect(`/c/${communityId}?connected=reddit`)
}
