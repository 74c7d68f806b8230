import { AppError } from '../../../errors.ts'
import { browserRoute, connectErrorHandler, installedSettingsUrl } from '../../kit/browser-pages.ts'
import { installLinkQuery } from '../../kit/community-install.ts'
import { oauthCallbackQuery, parseLinkQuery } from '../../kit/oauth.ts'
import type { PlatformHttp } from '../../platform-http.ts'
import type { DiscordDeps } from '../deps.ts'
import { discordPlatformName } from '../names.ts'
import { completeInstall, discordLinks, installCallbackQuery, installUrl } from './install.ts'
import { completeSetupInstall, discordSetup, setupInstallUrl } from './setup-install.ts'

/**
 * Connecting a guild (OAuth2 install with the bot) and founding the first community from one (Set
 * up with Discord), mounted under `/platforms/discord`: `GET /install?community=<id>`,
 * `GET /install?setup=<set-up token>&kit=<kit>` and `GET /install/callback` (both). They are top-level browser
 * navigations, so they authenticate themselves (the session, a signed state) and answer errors
 * with a page when a browser asks.
 */
export function discordConnectRoutes(deps: DiscordDeps): PlatformHttp {
  return async (app, host) => {
    const setup = discordSetup(host)
    await app.register(async (routes) => {
      routes.setErrorHandler(connectErrorHandler(setup, discordLinks.title))

      routes.get('/install', browserRoute, async (request, reply) => {
        const { community, setup: token, kit } = parseLinkQuery(installLinkQuery, request.query)
        if (token !== undefined) {
          const url = await setupInstallUrl(setup, host, deps, reply, { token, kit })
          return reply.header('cache-control', 'no-store').redirect(url)
        }
        if (community === undefined) {
          throw new AppError('invalid_input', 'This link is not valid (community: required).')
        }
        return reply.redirect(await installUrl(host, deps, request, community))
      })

      routes.get('/install/callback', browserRoute, async (request, reply) => {
        const callback = parseLinkQuery(oauthCallbackQuery.extend(installCallbackQuery.shape), request.query)
        if (callback.error === undefined && callback.code === undefined) {
          throw new AppError('invalid_input', 'Discord sent no authorization code.')
        }
        if (setup.isSetupState(callback.state)) {
          const { communityId } = await completeSetupInstall(setup, host, deps, request, reply, callback)
          return reply.redirect(`/c/${communityId}?connected=discord`)
        }
        const result = await completeInstall(host, deps, request, callback)
        return reply.redirect(installedSettingsUrl(discordPlatformName, result.communityId, result.activation))
      })
    })
  }
}
