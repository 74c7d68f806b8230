import { z } from 'zod'
import { rowIdParam } from '../../../domain/int4.ts'
import { AppError, isAppError, statusByCode } from '../../../errors.ts'
import { errorPage, installedSettingsUrl, wantsPage } from '../../kit/browser-pages.ts'
import { oauthCallbackQuery, parseLinkQuery } from '../../kit/oauth.ts'
import type { PlatformHttp } from '../../platform-http.ts'
import type { DiscordDeps } from '../deps.ts'
import { discordPlatformName } from '../names.ts'
import { completeInstall, discordLinks, installCallbackQuery, installUrl } from './install.ts'

/** These routes are followed by browsers; each answers from one address at a human pace. */
const rateLimit = { max: 30, timeWindow: 60_000 }

const installQuery = z.object({ community: rowIdParam })

/**
 * Connecting a guild (OAuth2 install with the bot), mounted under `/platforms/discord`:
 * `GET /install?community=<id>` and `GET /install/callback`. They are top-level browser
 * navigations, so they authenticate themselves (the session, a signed state) and answer errors
 * with a page when a browser asks.
 */
export function discordConnectRoutes(deps: DiscordDeps): PlatformHttp {
  return async (app, host) => {
    await app.register(async (routes) => {
      routes.setErrorHandler(async (error, request, reply) => {
        if (!isAppError(error) || !wantsPage(request)) {
          throw error
        }
        return errorPage(reply, statusByCode[error.code], {
          platform: discordLinks.title,
          title: 'Discord could not be connected',
          message: error.message,
          back: { href: '/', label: 'Back to PolicyKit' },
        })
      })

      routes.get('/install', { schema: { hide: true }, config: { rateLimit } }, async (request, reply) => {
        const { community } = parseLinkQuery(installQuery, request.query)
        return reply.redirect(await installUrl(host, deps, request, community))
      })

      routes.get('/install/callback', { schema: { hide: true }, config: { rateLimit } }, async (request, reply) => {
        const callback = parseLinkQuery(oauthCallbackQuery.extend(installCallbackQuery.shape), request.query)
        if (callback.error === undefined && callback.code === undefined) {
          throw new AppError('invalid_input', 'Discord sent no authorization code.')
        }
        const result = await completeInstall(host, deps, request, callback)
        return reply.redirect(installedSettingsUrl(discordPlatformName, result.communityId, result.activation))
      })
    })
  }
}
