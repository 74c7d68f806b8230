import { AppError } from '../../../errors.ts'
import { browserRoute, connectErrorHandler, installedSettingsUrl, signInErrorHandler } from '../../kit/browser-pages.ts'
import { installLinkQuery } from '../../kit/community-install.ts'
import { oauthCallbackQuery, parseLinkQuery } from '../../kit/oauth.ts'
import type { PlatformHttp } from '../../platform-http.ts'
import { completeInstall, installUrl, slackLinks } from './install.ts'
import { completeSetupInstall, setupInstallUrl, slackSetup } from './setup-install.ts'
import { completeSignIn, signInUrl } from './signin.ts'
import { slackPlatformName } from '../members.ts'
import type { SlackDeps } from '../slack-deps.ts'

/**
 * Connecting a workspace (OAuth v2 install), founding the first community from one (Set up with
 * Slack) and Sign in with Slack (OpenID Connect), mounted under `/platforms/slack`:
 * `GET /install?community=<id>`, `GET /install?setup=<set-up token>&kit=<kit>`,
 * `GET /oauth/callback` (both installs), `GET /signin`, `GET /signin/callback`. They are top-level browser navigations, so they authenticate
 * themselves (the session, a signed state) and answer errors with a page when a browser asks.
 */
export function slackConnectRoutes(deps: SlackDeps): PlatformHttp {
  const { options } = deps
  return async (app, host) => {
    const setup = slackSetup(host)
    await app.register(async (routes) => {
      routes.setErrorHandler(connectErrorHandler(setup, slackLinks.title))

      routes.get('/install', browserRoute, async (request, reply) => {
        const { community, setup: token, kit } = parseLinkQuery(installLinkQuery, request.query)
        if (token !== undefined) {
          const url = await setupInstallUrl(setup, host, options, reply, { token, kit })
          return reply.header('cache-control', 'no-store').redirect(url)
        }
        if (community === undefined) {
          throw new AppError('invalid_input', 'This link is not valid (community: required).')
        }
        return reply.redirect(await installUrl(host, deps, request, community))
      })

      routes.get('/oauth/callback', browserRoute, async (request, reply) => {
        const callback = parseLinkQuery(oauthCallbackQuery, request.query)
        if (setup.isSetupState(callback.state)) {
          const { communityId } = await completeSetupInstall(setup, host, deps, request, reply, callback)
          return reply.redirect(`/c/${communityId}?connected=slack`)
        }
        const result = await completeInstall(host, deps, request, callback)
        return reply.redirect(installedSettingsUrl(slackPlatformName, result.communityId, result.activation))
      })
    })
    await app.register(async (routes) => {
      // Sign-in's errors lead back to PolicyKit's sign-in page.
      routes.setErrorHandler(signInErrorHandler(slackLinks.title))

      routes.get('/signin', browserRoute, async (_request, reply) => {
        return reply.header('cache-control', 'no-store').redirect(signInUrl(host, options, reply))
      })

      routes.get('/signin/callback', browserRoute, async (request, reply) => {
        const { communityId } = await completeSignIn(
          host,
          deps,
          request,
          reply,
          parseLinkQuery(oauthCallbackQuery, request.query),
        )
        return reply.redirect(`/c/${communityId}`)
      })
    })
  }
}
