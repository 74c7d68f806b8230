import { Routes } from 'discord-api-types/v10'
import { z } from 'zod'
import { AppError } from '../../../errors.ts'
import { callDiscord, discordRest } from '../client.ts'
import type { DiscordOptions } from '../options.ts'
import { discordUser, guildMember, type DiscordUser } from '../users.ts'
import { canManageGuild, memberGuildPermissions } from './permissions.ts'

const tokenResponse = z.object({
  access_token: z.string().min(1),
  token_type: z.string(),
  scope: z.string(),
})

const guildJson = z.object({ id: z.string(), name: z.string(), owner_id: z.string() })
const rolesJson = z.array(z.object({ id: z.string(), permissions: z.string() }))

/**
 * Exchanges an authorization code (`/oauth2/token`, the application's credentials in the form)
 * and asks whose it is (`/users/@me` with the user's bearer token): the person who approved.
 */
export async function grantedUser(options: DiscordOptions, code: string, redirectUri: string): Promise<DiscordUser> {
  const rest = discordRest(options)
  const granted = tokenResponse.safeParse(
    await callDiscord('exchange the authorization code', () =>
      rest.post(Routes.oauth2TokenExchange(), {
        auth: false,
        passThroughBody: true,
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          redirect_uri: redirectUri,
          client_id: options.clientId,
          client_secret: options.clientSecret,
        }),
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      }),
    ),
  )
  if (!granted.success || !granted.data.scope.split(' ').includes('identify')) {
    throw new AppError('platform_rejected', 'Discord granted no token that says who you are (identify); try again.')
  }
  const me = await callDiscord('read who approved', () =>
    rest.get(Routes.user('@me'), {
      auth: false,
      headers: { Authorization: `Bearer ${granted.data.access_token}` },
    }),
  )
  return discordUser.parse(me)
}

/** The guild's name, and whether `userId` holds Administrator or Manage Guild there (asked of Discord with the bot). */
export async function installerStanding(
  options: DiscordOptions,
  guildId: string,
  userId: string,
): Promise<{ guildName: string; manages: boolean }> {
  const rest = discordRest(options)
  const guild = guildJson.parse(await callDiscord('read the guild', () => rest.get(Routes.guild(guildId))))
  const roles = rolesJson.parse(await callDiscord('read the guild roles', () => rest.get(Routes.guildRoles(guildId))))
  let member: z.infer<typeof guildMember>
  try {
    member = guildMember.parse(
      await callDiscord('read the installer', () => rest.get(Routes.guildMember(guildId, userId))),
    )
  } catch (e) {
    if (e instanceof AppError && e.code === 'platform_rejected') {
      return { guildName: guild.name, manages: false }
    }
    throw e
  }
  const permissions = memberGuildPermissions({
    guildId,
    ownerId: guild.owner_id,
    userId,
    memberRoleIds: member.roles,
    roles,
  })
  return { guildName: guild.name, manages: canManageGuild(permissions) }
}
