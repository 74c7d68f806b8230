import { createHash, randomBytes } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import { z } from 'zod'
import { rowId } from '../../domain/int4.ts'
import type { Integration } from '../../domain/community.ts'
import type { Member } from '../../domain/member.ts'
import { AppError, isAppError } from '../../errors.ts'
import type { PlatformHost } from '../platform-http.ts'
import { importSlackMembers } from './import-members.ts'
import { slackPlatformName } from './members.ts'
import type { SlackOptions } from './options.ts'
import { discardGrant, grantInstall, installAuthorizeUrl } from './install-grant.ts'
import { activate, linkInstaller, saveIntegration, type Activation } from './install-steps.ts'
import { authorizationCode, type OAuthCallback } from './oauth-callback.ts'
import { readState, signState } from './signed-state.ts'

/** Where the dashboard sends people to connect Slack and to sign in with it. */
export const slackLinks = {
  platform: slackPlatformName,
  title: 'Slack',
  installPath: '/platforms/slack/install',
  signInPath: '/platforms/slack/signin',
  /** The same route: `?setup=<set-up token>&kit=<kit>` founds the first community (setup-install.ts). */
  setupPath: '/platforms/slack/install',
}

/** How long an install may take between PolicyKit's redirect and Slack's callback. */
const stateLifetimeMs = 10 * 60_000

const installState = z.object({
  /** The community being connected. */
  c: rowId,
  /** The dashboard session that started the install (a hash): the callback must come back to it. */
  s: z.string(),
  n: z.string(),
})

/** A fingerprint of the signed-in session; the CSRF token in it is never sent to Slack in the clear. */
function sessionBinding(request: FastifyRequest): string | null {
  const session = request.authSession
  return session && createHash('sha256').update(`${session.id}:${session.csrfToken}`).digest('base64url')
}

/** The signed-in member of `communityId` allowed to connect platforms (`manage_integrations`). */
async function managingMember(host: PlatformHost, request: FastifyRequest, communityId: number): Promise<Member> {
  if (!request.caller || !request.authSession) {
    throw new AppError('unauthenticated', 'Sign in to PolicyKit first, then connect Slack from the settings page.')
  }
  try {
    return await host.requirePermission(request, communityId, 'manage_integrations')
  } catch (e) {
    throw isAppError(e, 'forbidden')
      ? new AppError('forbidden', 'Connecting Slack needs the manage_integrations permission in this community.')
      : e
  }
}

function installKey(host: PlatformHost): Buffer {
  return host.deriveKey('slack install state')
}

/**
 * Step one of the install: checks the caller may connect the community and gives the URL of
 * Slack's authorize page, with a `state` bound to this community and this session.
 */
export async function installUrl(
  host: PlatformHost,
  options: SlackOptions,
  request: FastifyRequest,
  communityId: number,
): Promise<string> {
  await managingMember(host, request, communityId)
  const binding = sessionBinding(request) ?? ''
  const state = signState(
    installKey(host),
    { c: communityId, s: binding, n: randomBytes(12).toString('base64url') },
    host.clock.now() + stateLifetimeMs,
  )
  const url = installAuthorizeUrl(host, options, state)
  // Reconnecting: Slack opens the workspace already connected.
  const connected = (await host.store.integrations.list(communityId)).find((i) => i.platform === slackPlatformName)
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

/** Reads the state back: made here, for this session, not expired. */
function checkedState(host: PlatformHost, request: FastifyRequest, state: string | undefined): number {
  const parsed = state === undefined ? null : readState(installKey(host), state, installState, host.clock.now())
  const binding = sessionBinding(request)
  if (!parsed || binding === null || parsed.s !== binding) {
    throw new AppError(
      'forbidden',
      'This Slack install was not started in this session, or took longer than 10 minutes. Start again from the settings page.',
    )
  }
  return parsed.c
}

/**
 * Step two, Slack's redirect back: checks the state, exchanges the code, refuses an installer who
 * is not a workspace admin or owner (storing nothing) and a workspace connected to another
 * community (revoking the tokens Slack just granted, unless a connection uses them); stores the integration (tokens encrypted, inactive), links the installer's Slack
 * account to them, proposes `constitution.addIntegration` as them, and imports the members.
 */
export async function completeInstall(
  host: PlatformHost,
  options: SlackOptions,
  request: FastifyRequest,
  callback: OAuthCallback,
): Promise<InstallResult> {
  const communityId = checkedState(host, request, callback.state)
  const code = authorizationCode(callback, 'Slack did not install PolicyKit')
  const member = await managingMember(host, request, communityId)
  const { store, clock } = host
  const { team, installer, credentials, config, bot } = await grantInstall(host, options, code)

  const existing = await store.integrations.findByExternalId(slackPlatformName, team.id)
  if (existing && existing.communityId !== communityId) {
    await discardGrant(host, options, team.id, credentials)
    throw new AppError(
      'conflict',
      `The Slack workspace ${team.name} is already connected to another PolicyKit community.`,
    )
  }
  const otherActive = (await store.integrations.list(communityId, { activeOnly: true })).find(
    (i) => i.platform === slackPlatformName && i.externalId !== team.id,
  )
  if (otherActive) {
    await discardGrant(host, options, team.id, credentials)
    throw new AppError(
      'conflict',
      `This community is connected to another Slack workspace (${otherActive.externalId}); disconnect it first.`,
    )
  }

  const integration = await saveIntegration(host, communityId, existing, { externalId: team.id, config, credentials })
  await linkInstaller(host, communityId, member, installer)
  const activation = integration.active
    ? ({ status: 'active' } as const)
    : await activate(host, communityId, member.id, integration.id)
  const members = await importSlackMembers(store, communityId, bot, clock.now())
  const current = (await store.integrations.get(communityId, integration.id)) ?? integration
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
