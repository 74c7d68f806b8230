import type { FastifyRequest } from 'fastify'
import { discordSignInPath } from './signin.ts'
import { z } from 'zod'
import type { Integration } from '../../../domain/community.ts'
import { AppError } from '../../../errors.ts'
import { resumeCommunityInstall, startCommunityInstall } from '../../kit/community-install.ts'
import { activate, installTarget, linkInstaller, saveIntegration, type Activation } from '../../kit/install-steps.ts'
import type { OAuthCallback } from '../../kit/oauth.ts'
import type { PlatformLinks } from '../../platform.ts'
import type { PlatformHost } from '../../platform-http.ts'
import type { DiscordDeps } from '../deps.ts'
import { discordPlatformName } from '../names.ts'
import type { DiscordOptions } from '../options.ts'
import { grantedUser, installerStanding } from './grant.ts'
import { importDiscordMembers } from './import-members.ts'
import { discordInstallPermissions } from './permissions.ts'
import { registerPolicykitCommand } from './register-command.ts'

/** The OAuth2 scopes an install asks for: the bot, its guild command, and who installs. */
export const discordInstallScopes = ['bot', 'applications.commands', 'identify'] as const

/** Discord sends the install back here (register it under OAuth2 → Redirects). */
export const installCallbackPath = '/platforms/discord/install/callback'

/** Where the dashboard sends people to connect Discord and to sign in with it. */
export const discordLinks = {
  title: 'Discord',
  installPath: '/platforms/discord/install',
  signInPath: discordSignInPath,
  setup: {
    /** The same route: `?setup=<set-up token>&kit=<kit>` founds the first community (setup-install.ts). */
    path: '/platforms/discord/install',
    place: 'Discord server',
    who: 'someone with Administrator or Manage Server in the server',
    how: 'Add PolicyKit’s bot to your Discord server',
  },
} satisfies PlatformLinks

/** What Discord's redirect brings back besides the code: the guild the bot was added to. */
export const installCallbackQuery = z.object({
  guild_id: z
    .string()
    .regex(/^\d{15,21}$/)
    .optional(),
  permissions: z.string().max(30).optional(),
})

/** Discord's authorize page for an install: the scopes, the bot's permissions integer, the callback and `state`. */
export function installAuthorizeUrl(host: PlatformHost, options: DiscordOptions, state: string): URL {
  const url = new URL(options.authorizeUrl)
  url.searchParams.set('client_id', options.clientId)
  url.searchParams.set('response_type', 'code')
  url.searchParams.set('scope', discordInstallScopes.join(' '))
  url.searchParams.set('permissions', discordInstallPermissions().toString())
  url.searchParams.set('redirect_uri', `${host.publicUrl}${installCallbackPath}`)
  url.searchParams.set('state', state)
  return url
}

/** Step one: the caller may connect the community; the URL of Discord's authorize page with a state bound to it. */
export async function installUrl(
  host: PlatformHost,
  deps: DiscordDeps,
  request: FastifyRequest,
  communityId: number,
): Promise<string> {
  const state = await startCommunityInstall(host, request, {
    platform: discordPlatformName,
    title: 'Discord',
    communityId,
  })
  const url = installAuthorizeUrl(host, deps.options, state)
  // Reconnecting: Discord opens the guild already connected.
  const [connected] = await deps.ports.integrations.list(communityId)
  if (connected) {
    url.searchParams.set('guild_id', connected.externalId)
    url.searchParams.set('disable_guild_select', 'true')
  }
  return url.href
}

export interface DiscordInstallResult {
  communityId: number
  integration: Integration
  activation: Activation
  /** The guild's people imported (new or already known). */
  members: number
}

/** The person who approved an install, checked with Discord to manage the guild the callback names. */
export async function checkedInstaller(
  host: PlatformHost,
  options: DiscordOptions,
  code: string,
  guildId: string | undefined,
): Promise<{ guildId: string; guildName: string; installer: { id: string; name: string; displayName: string } }> {
  if (guildId === undefined) {
    throw new AppError('invalid_input', 'Discord sent no server (guild_id): add the bot to a server and try again.')
  }
  const user = await grantedUser(options, code, `${host.publicUrl}${installCallbackPath}`)
  const { guildName, manages } = await installerStanding(options, guildId, user.id)
  if (!manages) {
    throw new AppError(
      'forbidden',
      `Only someone with Administrator or Manage Server in the Discord server ${guildName} can connect it, and ${user.username} has neither. Nothing was connected.`,
    )
  }
  return {
    guildId,
    guildName,
    installer: { id: user.id, name: user.username, displayName: user.global_name ?? user.username },
  }
}

/**
 * Step two, Discord's redirect back: checks the state, exchanges the code, checks with Discord
 * that the installer manages the guild the callback names (else nothing is stored), refuses a
 * guild connected to another community; stores the integration (inactive), registers
 * `/policykit` in the guild, links the installer, proposes `constitution.addIntegration` as them
 * and imports the guild's people.
 */
export async function completeInstall(
  host: PlatformHost,
  deps: DiscordDeps,
  request: FastifyRequest,
  callback: OAuthCallback & z.infer<typeof installCallbackQuery>,
): Promise<DiscordInstallResult> {
  const { communityId, code, member } = await resumeCommunityInstall(host, request, callback, {
    platform: discordPlatformName,
    title: 'Discord',
    refused: 'Discord did not add PolicyKit',
  })
  const { ports, options } = deps
  const { guildId, guildName, installer } = await checkedInstaller(host, options, code, callback.guild_id)

  const existing = await installTarget(ports, communityId, {
    externalId: guildId,
    name: guildName,
    what: 'Discord server',
  })
  await registerPolicykitCommand(options, guildId)
  const integration = await saveIntegration(ports, communityId, existing, {
    externalId: guildId,
    config: { guildName },
    credentials: { installerUserId: installer.id },
  })
  await linkInstaller(ports, communityId, member, installer)
  const activation = await activate(ports, communityId, member.id, integration)
  const members = await importDiscordMembers(options, ports.members, communityId, guildId)
  const current = (await ports.integrations.get(communityId, integration.id)) ?? integration
  host.logger.info(
    { communityId, guild: guildId, activation: activation.status, members },
    `Discord server ${guildName} connected`,
  )
  return { communityId, integration: current, activation, members }
}
