import { discordGatewayIntents } from '../listen/gateway.ts'
import { discordInstallScopes, installCallbackPath } from './install.ts'
import { discordInstallPermissions } from './permissions.ts'
import { discordSignInCallbackPath } from './signin.ts'

/**
 * What to enter in Discord's Developer Portal for PolicyKit at `publicUrl` (Discord has no app
 * manifest to import: `policykit discord manifest` prints these settings).
 */
export function discordAppSettings(publicUrl: string) {
  const base = publicUrl.replace(/\/+$/, '')
  return {
    generalInformation: { interactionsEndpointUrl: `${base}/platforms/discord/interactions` },
    oauth2: { redirects: [`${base}${installCallbackPath}`, `${base}${discordSignInCallbackPath}`] },
    installation: { scopes: [...discordInstallScopes], permissions: discordInstallPermissions().toString() },
    bot: {
      privilegedGatewayIntents: ['SERVER MEMBERS INTENT', 'MESSAGE CONTENT INTENT'],
      intents: discordGatewayIntents,
    },
    environment: {
      DISCORD_CLIENT_ID: 'General Information → Application ID',
      DISCORD_PUBLIC_KEY: 'General Information → Public Key',
      DISCORD_CLIENT_SECRET: 'OAuth2 → Client Secret',
      DISCORD_BOT_TOKEN: 'Bot → Token',
    },
  }
}
