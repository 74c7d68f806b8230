import type { FastifyReply, FastifyRequest } from 'fastify'
import type { z } from 'zod'
import { AppError } from '../../../errors.ts'
import { firstCommunitySetup, type FirstCommunitySetup } from '../../kit/first-community-setup.ts'
import { authorizationCode, type OAuthCallback } from '../../kit/oauth.ts'
import type { PlatformHost } from '../../platform-http.ts'
import type { DiscordDeps } from '../deps.ts'
import { discordPlatformName } from '../names.ts'
import { importDiscordMembers } from './import-members.ts'
import type { installCallbackQuery } from './install.ts'
import { checkedInstaller, discordLinks, installAuthorizeUrl, installCallbackPath } from './install.ts'
import { registerPolicykitCommand } from './register-command.ts'

/**
 * Set up with Discord: on first run, someone who manages a Discord server founds the first
 * community from it with the set-up token and a starter kit
 * (`GET /platforms/discord/install?setup=…&kit=…`): the same OAuth install as a community's,
 * bound to the browser by the kit's first-community set-up and told apart by its state.
 */

export function discordSetup(host: PlatformHost): FirstCommunitySetup {
  return firstCommunitySetup(host, {
    platform: discordPlatformName,
    title: 'Discord',
    cookiePath: '/platforms/discord/install',
    startPath: discordLinks.setup.path,
    callback: { path: installCallbackPath, shared: true },
  })
}

/** Step one: the URL of Discord's authorize page, once the token and kit are found good. */
export async function setupInstallUrl(
  setup: FirstCommunitySetup,
  host: PlatformHost,
  deps: DiscordDeps,
  reply: FastifyReply,
  start: { token: string; kit: string | undefined },
): Promise<string> {
  const { state } = await setup.start(reply, start)
  return installAuthorizeUrl(host, deps.options, state).href
}

/**
 * Step two, Discord's redirect back: checks the state against the cookie, exchanges the code,
 * checks with Discord that the installer holds Administrator or Manage Server in the guild the
 * callback names (else nothing is made), registers `/policykit` there, and founds the community
 * named after the guild with the chosen kit, the installer its admin, the integration on; imports
 * the guild's people and signs the founder in.
 */
export async function completeSetupInstall(
  setup: FirstCommunitySetup,
  host: PlatformHost,
  deps: DiscordDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  callback: OAuthCallback & z.infer<typeof installCallbackQuery>,
): Promise<{ communityId: number }> {
  const pending = await setup.resume(request, reply, setup.nonceOfState(callback.state))
  const code = authorizationCode(callback, 'Discord did not add PolicyKit', 'Discord')
  const { ports, options } = deps
  const { guildId, guildName, installer } = await checkedInstaller(host, options, code, callback.guild_id)
  if (await ports.integrations.findByExternalId(guildId)) {
    throw new AppError('conflict', `The Discord server ${guildName} is already connected to a PolicyKit community.`)
  }
  await registerPolicykitCommand(options, guildId)
  return setup.found(
    request,
    reply,
    {
      pending,
      place: guildId,
      communityName: guildName.trim().slice(0, 100) || guildId,
      founder: {
        username: installer.name,
        displayName: installer.displayName,
        account: { platform: discordPlatformName, externalId: installer.id, username: installer.name },
      },
      integration: {
        platform: discordPlatformName,
        externalId: guildId,
        config: { guildName },
        credentials: { installerUserId: installer.id },
      },
    },
    (communityId) => importDiscordMembers(options, ports.members, communityId, guildId),
  )
}
