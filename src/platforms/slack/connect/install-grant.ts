import type { WebClient } from '@slack/web-api'
import { z } from 'zod'
import { AppError, toError } from '../../../errors.ts'
import type { PlatformHost } from '../../platform-http.ts'
import type { PlatformPorts } from '../../platform-ports.ts'
import { callSlack, slackClient } from '../client.ts'
import { readSlackCredentials, slackCredentials, type SlackCredentials } from '../credentials.ts'
import { slackPlatformName } from '../members.ts'
import type { SlackOptions } from '../options.ts'
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
export async function grantInstall(
  host: PlatformHost,
  ports: PlatformPorts,
  options: SlackOptions,
  code: string,
): Promise<InstallGrant> {
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
    await discardGrant(ports, options, team.id, {
      botToken: granted.data.access_token,
      userToken: installer.access_token,
    })
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

/**
 * An install that is refused after Slack granted its tokens (the installer is no admin, the
 * workspace is connected elsewhere) must not leave them working: they are revoked
 * (`auth.revoke`) before the refusal is answered. Slack keeps an app's bot token across
 * reinstalls, so a token that a connection of this workspace stores is kept: revoking it would cut
 * that connection off. Best effort: a failed revocation is logged and the refusal stands.
 */
export async function discardGrant(
  ports: PlatformPorts,
  options: SlackOptions,
  teamId: string,
  tokens: { botToken: string; userToken: string },
): Promise<void> {
  const stored = await storedTokens(ports, teamId)
  if (stored === null) {
    ports.logger.warn(
      { platform: slackPlatformName, teamId },
      'slack: the tokens of a refused install were not revoked (the stored connection is unreadable)',
    )
    return
  }
  for (const [kind, token] of [
    ['bot', tokens.botToken],
    ['user', tokens.userToken],
  ] as const) {
    if (stored.has(token)) {
      continue
    }
    try {
      await callSlack('auth.revoke', () => slackClient(token, options).auth.revoke())
      ports.logger.info(
        { platform: slackPlatformName, teamId, token: kind },
        'slack: revoked the token of a refused install',
      )
    } catch (e) {
      ports.logger.warn(
        { platform: slackPlatformName, teamId, token: kind, err: toError(e) },
        'slack: could not revoke the token of a refused install',
      )
    }
  }
}

/** The tokens the connection of this workspace (if any) stores; null when they cannot be read. */
async function storedTokens(ports: PlatformPorts, teamId: string): Promise<Set<string> | null> {
  const integration = await ports.integrations.findByExternalId(teamId)
  if (!integration) {
    return new Set()
  }
  try {
    const credentials = readSlackCredentials(await ports.integrations.credentials(integration))
    return new Set([credentials.botToken, credentials.userToken])
  } catch {
    return null
  }
}
