import { randomBytes } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { AppError, toError } from '../../../errors.ts'
import { authorizationCode, roundTripCookie, type OAuthCallback } from '../../kit/oauth.ts'
import { readState, signState } from '../../kit/signed-state.ts'
import { constantTimeEqual } from '../../kit/verify-request.ts'
import type { PlatformHost } from '../../platform-http.ts'
import { importSlackMembers } from './import-members.ts'
import { discardGrant, grantInstall, installAuthorizeUrl, installCallbackPath } from './install-grant.ts'
import { slackLinks } from './install.ts'
import { slackPlatformName } from '../members.ts'
import type { SlackOptions } from '../options.ts'
import type { SlackDeps } from '../slack-deps.ts'

/**
 * Set up with Slack: on first run, an admin of a Slack workspace founds the first community from
 * it with the set-up token and a starter kit (`GET /platforms/slack/install?setup=…&kit=…`).
 * Nobody is signed in yet, so the install is bound to the browser that started it by a
 * short-lived signed cookie, as Sign in with Slack is; it comes back through the same OAuth
 * callback as a community's install, told apart by its state.
 */

const setupCookie = 'pk_slack_setup'
const setupLifetimeMs = 10 * 60_000

/** Starts the OAuth state of a set-up (a community's install state is a bare signed value). */
const statePrefix = 'setup.'

/** Sent to Slack and back: the chosen kit and a nonce that must match the cookie's. */
const setupState = z.object({ k: z.string(), n: z.string() })

/** Kept in the browser: the set-up token (never sent to Slack) and the nonce. */
const pendingSetup = z.object({ t: z.string(), n: z.string() })

const stateKey = (host: PlatformHost) => host.deriveKey('slack setup state')
const cookieKey = (host: PlatformHost) => host.deriveKey('slack setup cookie')

const cookieOptions = (host: PlatformHost) => roundTripCookie(host.publicUrl, '/platforms/slack/oauth')

const notValid = () =>
  new AppError(
    'forbidden',
    'This set-up link is not valid: its token is wrong, or PolicyKit is already set up. Later communities connect Slack from their settings.',
  )

/** Whether an OAuth callback's `state` is a set-up's (then `completeSetupInstall` answers it). */
export function isSetupState(state: string | undefined): boolean {
  return state?.startsWith(statePrefix) === true
}

/**
 * Step one: refuses a wrong or used set-up token and an unknown kit before anyone goes to Slack;
 * sets the cookie and gives the URL of Slack's authorize page.
 */
export async function setupInstallUrl(
  host: PlatformHost,
  options: SlackOptions,
  reply: FastifyReply,
  start: { token: string; kit: string | undefined },
): Promise<string> {
  if (!(await host.setupNeeded(start.token))) {
    throw notValid()
  }
  const kits = host.starterKits()
  if (start.kit === undefined || !kits.includes(start.kit)) {
    throw new AppError(
      'invalid_input',
      `Choose one of the starter kits (${kits.join(', ')}) on the set-up page${start.kit === undefined ? '' : `: there is no kit '${start.kit}'`}.`,
    )
  }
  const nonce = randomBytes(16).toString('base64url')
  const expiresAt = host.now() + setupLifetimeMs
  reply.setCookie(setupCookie, signState(cookieKey(host), { t: start.token, n: nonce }, expiresAt), {
    ...cookieOptions(host),
    maxAge: setupLifetimeMs / 1000,
  })
  const state = `${statePrefix}${signState(stateKey(host), { k: start.kit, n: nonce }, expiresAt)}`
  return installAuthorizeUrl(host, options, state).href
}

/** The set-up token in this browser's set-up cookie, if it is genuine and not expired. */
function pendingOf(host: PlatformHost, request: FastifyRequest): z.infer<typeof pendingSetup> | null {
  const cookie = request.cookies[setupCookie]
  return cookie === undefined ? null : readState(cookieKey(host), cookie, pendingSetup, host.now())
}

/**
 * Step two, Slack's redirect back: checks the state against the cookie, exchanges the code,
 * refuses an installer who is not a workspace admin or owner and a workspace connected already
 * (storing nothing), then founds the community named after the workspace with the chosen kit,
 * the installing admin its founder, with the integration; imports the members and signs the
 * founder in. Returns the community.
 */
export async function completeSetupInstall(
  host: PlatformHost,
  deps: SlackDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  callback: OAuthCallback,
): Promise<{ communityId: number }> {
  const pending = pendingOf(host, request)
  reply.clearCookie(setupCookie, cookieOptions(host))
  const state =
    callback.state === undefined || !isSetupState(callback.state)
      ? null
      : readState(stateKey(host), callback.state.slice(statePrefix.length), setupState, host.now())
  if (!pending || !state || !constantTimeEqual(pending.n, state.n)) {
    throw new AppError(
      'forbidden',
      'This Slack set-up was not started in this browser, or took longer than 10 minutes. Open the set-up link again.',
    )
  }
  const code = authorizationCode(callback, 'Slack did not install PolicyKit', 'Slack')
  if (!(await host.setupNeeded(pending.t))) {
    throw notValid()
  }
  const { ports, options } = deps
  const { team, installer, credentials, config, bot } = await grantInstall(host, ports, options, code)
  if (await ports.integrations.findByExternalId(team.id)) {
    await discardGrant(ports, options, team.id, credentials)
    throw new AppError(
      'conflict',
      `The Slack workspace ${team.name} is already connected to another PolicyKit community.`,
    )
  }

  // Founding a community from a workspace is the connection itself, and there is no constitution
  // yet to govern `constitution.addIntegration`: the integration is stored switched on. (Later
  // communities connect from their settings, and their policies decide.)
  const founded = await host.setUpCommunity({
    token: pending.t,
    communityName: team.name.trim().slice(0, 100) || team.id,
    kit: state.k,
    founder: {
      username: installer.name,
      displayName: installer.displayName,
      account: { platform: slackPlatformName, externalId: installer.id, username: installer.name },
    },
    integration: { platform: slackPlatformName, externalId: team.id, config, credentials },
  })
  const { communityId } = founded
  let members: number | null = null
  try {
    members = await importSlackMembers(ports.members, communityId, bot)
  } catch (e) {
    // The community exists and its founder can sign in only through Slack: sign them in anyway.
    // Reconnecting Slack from the settings imports the members again.
    host.logger.error(
      { communityId, team: team.id, err: toError(e) },
      'Slack members could not be imported at set-up; reconnect Slack from the settings to import them',
    )
  }
  await host.startSession(request, reply, founded.user)
  host.logger.info(
    { communityId, team: team.id, kit: state.k, members, memberId: founded.memberId },
    `PolicyKit set up from the Slack workspace ${team.name}`,
  )
  return { communityId }
}

/**
 * Where an error page of a set-up leads back to: the set-up page while its token still works,
 * else PolicyKit's start page. Null for a request that is not part of a set-up.
 */
export async function setupBackLink(
  host: PlatformHost,
  request: FastifyRequest,
): Promise<{ href: string; label: string } | null> {
  const query = z
    .object({ setup: z.string().max(200).optional(), state: z.string().max(2000).optional() })
    .safeParse(request.query)
  const path = request.url.split('?')[0] ?? ''
  let token: string | undefined
  if (path === slackLinks.setupPath && query.data?.setup !== undefined) {
    token = query.data.setup
  } else if (path === installCallbackPath && isSetupState(query.data?.state)) {
    token = pendingOf(host, request)?.t
  } else {
    return null
  }
  return token !== undefined && (await host.setupNeeded(token))
    ? { href: `/setup?${new URLSearchParams({ token })}`, label: 'Back to set-up' }
    : { href: '/', label: 'Back to PolicyKit' }
}
