import type { WebClient } from '@slack/web-api'
import { z } from 'zod'
import { AppError } from '../../errors.ts'
import type { PlatformHost } from '../platform-http.ts'
import { callSlack, slackClient } from './client.ts'
import { slackCredentials, type SlackCredentials } from './credentials.ts'
import type { SlackOptions } from './options.ts'
import { slackBotScopes, slackUserScopes } from './scopes.ts'

/** Slack sends both installs (connecting a community, founding the first one) back here. */
export const installCallbackPath = '/platforms/slack/oauth/callback'

/** Slack's authorize page for an install: the scopes PolicyKit needs, the callback, and `state`. */
export function installAuthorizeUrl(host: PlatformHost, options: SlackOptions, state: string): URL {
  const url = new URL(options.authorizeUrl)
  url.searchParams.set('client_id', options.clientId)
  url.searchParams.set('scope', slackBotScopes.join(','))
  url.searchParams.set('user_scope', slackUserScopes.join(','))
  url.searchParams.set('redirect_uri', `${host.publicUrl}${installCallbackPath}`)
  url.searchParams.set('state', state)
  return url
}

const oauthAccess = z.object({
  app_id: z.string().min(1),
  token_type: z.literal('bot'),
  access_token: z.string().min(1),
  bot_user_id: z.string().min(1),
  team: z.object({ id: z.string().min(1), name: z.string() }),
  authed_user: z.object({ id: z.string().min(1), access_token: z.string().min(1) }),
})

const userInfo = z.object({
  user: z.object({
    id: z.string(),
    name: z.string(),
    real_name: z.string().optional(),
    is_admin: z.boolean().optional(),
    is_owner: z.boolean().optional(),
    is_primary_owner: z.boolean().optional(),
  }),
})

/** What Slack granted for one install, by a workspace admin or owner. */
export interface InstallGrant {
  team: { id: string; name: string }
  /** The admin who approved the install: `name` is their handle, `displayName` their real name or handle. */
  installer: { id: string; name: string; displayName: string }
  /** What the integration stores, encrypted. */
  credentials: SlackCredentials
  /** What the integration keeps in plain text. */
  config: { teamName: string; botUserId: string; appId: string }
  /** A client with the bot token. */
  bot: WebClient
}

/**
 * Exchanges the install's code (`oauth.v2.access`) and asks who approved it (`users.info`):
 * someone who is not an admin or owner of the workspace is refused (`forbidden`), before the
 * caller stores anything.
 */
export async function grantInstall(host: PlatformHost, options: SlackOptions, code: string): Promise<InstallGrant> {
  const access = await callSlack('oauth.v2.access', () =>
    slackClient(undefined, options).oauth.v2.access({
      client_id: options.clientId,
      client_secret: options.clientSecret,
      code,
      redirect_uri: `${host.publicUrl}${installCallbackPath}`,
    }),
  )
  const granted = oauthAccess.safeParse(access)
  if (!granted.success) {
    throw new AppError('platform_rejected', 'Slack did not grant a bot token and an installer token; install again.')
  }
  const { team, authed_user: installer } = granted.data
  const bot = slackClient(granted.data.access_token, options)
  const { user } = userInfo.parse(await callSlack('users.info', () => bot.users.info({ user: installer.id })))
  if (!user.is_admin && !user.is_owner && !user.is_primary_owner) {
    throw new AppError(
      'forbidden',
      `Only an admin or owner of the Slack workspace ${team.name} can install PolicyKit, and ${user.name} is neither. Nothing was connected: ask a workspace admin to connect Slack.`,
    )
  }
  return {
    team,
    installer: { id: user.id, name: user.name, displayName: user.real_name || user.name },
    credentials: slackCredentials.parse({
      botToken: granted.data.access_token,
      userToken: installer.access_token,
      installerUserId: installer.id,
      botUserId: granted.data.bot_user_id,
    }),
    config: { teamName: team.name, botUserId: granted.data.bot_user_id, appId: granted.data.app_id },
    bot,
  }
}
