import type { FastifyReply, FastifyRequest } from 'fastify'
import { AppError } from '../../../errors.ts'
import { firstCommunitySetup, type FirstCommunitySetup } from '../../kit/first-community-setup.ts'
import { authorizationCode, type OAuthCallback } from '../../kit/oauth.ts'
import type { PlatformHost } from '../../platform-http.ts'
import { importSlackMembers } from './import-members.ts'
import { discardGrant, grantInstall, installAuthorizeUrl, installCallbackPath } from './install-grant.ts'
import { slackLinks } from './install.ts'
import { slackPlatformName } from '../members.ts'
import type { SlackOptions } from '../options.ts'
import type { SlackDeps } from '../slack-deps.ts'

/**
 * Set up with Slack: on first run, an admin of a Slack workspace founds the first community from
 * it with the set-up token and a starter kit (`GET /platforms/slack/install?setup=…&kit=…`), the
 * kit's first-community set-up binding it to the browser; it comes back through the same OAuth
 * callback as a community's install, told apart by its state.
 */

export function slackSetup(host: PlatformHost): FirstCommunitySetup {
  return firstCommunitySetup(host, {
    platform: slackPlatformName,
    title: 'Slack',
    cookiePath: '/platforms/slack/oauth',
    startPath: slackLinks.setup.path,
    callback: { path: installCallbackPath, shared: true },
  })
}

/** Step one: the URL of Slack's authorize page, once the token and kit are found good. */
export async function setupInstallUrl(
  setup: FirstCommunitySetup,
  host: PlatformHost,
  options: SlackOptions,
  reply: FastifyReply,
  start: { token: string; kit: string | undefined },
): Promise<string> {
  const { state } = await setup.start(reply, start)
  return installAuthorizeUrl(host, options, state).href
}

/**
 * Step two, Slack's redirect back: checks the state against the cookie, exchanges the code,
 * refuses an installer who is not a workspace admin or owner and a workspace connected already
 * (storing nothing), then founds the community named after the workspace with the chosen kit,
 * the installing admin its founder, with the integration; imports the members and signs the
 * founder in. Returns the community.
 */
export async function completeSetupInstall(
  setup: FirstCommunitySetup,
  host: PlatformHost,
  deps: SlackDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  callback: OAuthCallback,
): Promise<{ communityId: number }> {
  const pending = await setup.resume(request, reply, setup.nonceOfState(callback.state))
  const code = authorizationCode(callback, 'Slack did not install PolicyKit', 'Slack')
  const { ports, options } = deps
  const { team, installer, credentials, config, bot } = await grantInstall(host, ports, options, code)
  if (await ports.integrations.findByExternalId(team.id)) {
    await discardGrant(ports, options, team.id, credentials)
    throw new AppError(
      'conflict',
      `The Slack workspace ${team.name} is already connected to another PolicyKit community.`,
    )
  }
  return setup.found(
    request,
    reply,
    {
      pending,
      place: team.id,
      communityName: team.name.trim().slice(0, 100) || team.id,
      founder: {
        username: installer.name,
        displayName: installer.displayName,
        account: { platform: slackPlatformName, externalId: installer.id, username: installer.name },
      },
      integration: { platform: slackPlatformName, externalId: team.id, config, credentials },
    },
    (communityId) => importSlackMembers(ports.members, communityId, bot),
  )
}
