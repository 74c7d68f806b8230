import type { FastifyRequest } from 'fastify'
import type { Integration } from '../../../domain/community.ts'
import { resumeCommunityInstall, startCommunityInstall } from '../../kit/community-install.ts'
import { activate, installTarget, linkInstaller, saveIntegration, type Activation } from '../../kit/install-steps.ts'
import type { OAuthCallback } from '../../kit/oauth.ts'
import type { PlatformLinks } from '../../platform.ts'
import type { PlatformHost } from '../../platform-http.ts'
import { importSlackMembers } from './import-members.ts'
import { discardGrant, grantInstall, installAuthorizeUrl } from './install-grant.ts'
import { slackPlatformName } from '../members.ts'
import type { SlackDeps } from '../slack-deps.ts'

/** Where the dashboard sends people to connect Slack and to sign in with it. */
export const slackLinks = {
  title: 'Slack',
  installPath: '/platforms/slack/install',
  signInPath: '/platforms/slack/signin',
  setup: {
    /** The same route: `?setup=<set-up token>&kit=<kit>` founds the first community (setup-install.ts). */
    path: '/platforms/slack/install',
    place: 'Slack workspace',
    who: 'an admin or owner of the workspace',
    how: 'Install PolicyKit in your Slack workspace',
  },
} satisfies PlatformLinks

/**
 * Step one of the install: checks the caller may connect the community and gives the URL of
 * Slack's authorize page, with a `state` bound to this community and this session.
 */
export async function installUrl(
  host: PlatformHost,
  deps: SlackDeps,
  request: FastifyRequest,
  communityId: number,
): Promise<string> {
  const state = await startCommunityInstall(host, request, { platform: slackPlatformName, title: 'Slack', communityId })
  const url = installAuthorizeUrl(host, deps.options, state)
  // Reconnecting: Slack opens the workspace already connected.
  const [connected] = await deps.ports.integrations.list(communityId)
  if (connected) {
    url.searchParams.set('team', connected.externalId)
  }
  return url.href
}

export interface InstallResult {
  communityId: number
  integration: Integration
  activation: Activation
  /** Workspace members imported (new or already known). */
  members: number
}

/**
 * Step two, Slack's redirect back: checks the state, exchanges the code, refuses an installer who
 * is not a workspace admin or owner (storing nothing) and a workspace connected to another
 * community (revoking the tokens Slack just granted, unless a connection uses them); stores the integration (tokens encrypted, inactive), links the installer's Slack
 * account to them, proposes `constitution.addIntegration` as them, and imports the members.
 */
export async function completeInstall(
  host: PlatformHost,
  deps: SlackDeps,
  request: FastifyRequest,
  callback: OAuthCallback,
): Promise<InstallResult> {
  const { communityId, code, member } = await resumeCommunityInstall(host, request, callback, {
    platform: slackPlatformName,
    title: 'Slack',
    refused: 'Slack did not install PolicyKit',
  })
  const { ports, options } = deps
  const { team, installer, credentials, config, bot } = await grantInstall(host, ports, options, code)

  const existing = await installTarget(
    ports,
    communityId,
    { externalId: team.id, name: team.name, what: 'Slack workspace' },
    () => discardGrant(ports, options, team.id, credentials),
  )

  const integration = await saveIntegration(ports, communityId, existing, { externalId: team.id, config, credentials })
  await linkInstaller(ports, communityId, member, installer)
  const activation = await activate(ports, communityId, member.id, integration)
  const members = await importSlackMembers(ports.members, communityId, bot)
  const current = (await ports.integrations.get(communityId, integration.id)) ?? integration
  host.logger.info(
    {
      communityId,
      team: team.id,
      activation: activation.status,
      ...(activation.status === 'refused' ? { refusal: activation.reason } : {}),
      members,
    },
    `Slack workspace ${team.name} connected`,
  )
  return { communityId, integration: current, activation, members }
}
