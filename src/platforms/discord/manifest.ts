import { definePlatform, type PlatformDef } from '../platform.ts'
import { discordActions } from './actions.ts'
import { discordCheckConnection } from './check-connection.ts'
import { discordConnectRoutes } from './connect/connect-routes.ts'
import { discordSignInRoutes } from './connect/signin.ts'
import { discordInstallScopes, discordLinks } from './connect/install.ts'
import type { DiscordDeps } from './deps.ts'
import { discordFunctions } from './functions/functions.ts'
import { discordPolicyDocs } from './functions/policy-docs.ts'
import { discordInteractions } from './interactions.ts'
import { discordGateway } from './listen/gateway.ts'
import { discordPlatformName } from './names.ts'
import { discordTriggers } from './triggers.ts'
import { discordVoting } from './voting/voting.ts'

/**
 * Discord. A community connects a guild (server) by adding the bot; what members do there
 * becomes governed actions (`actions.ts`, carried out and undone through the bot's REST client);
 * `/policykit <text>` and vote buttons arrive through the signed interactions endpoint
 * (`interactions.ts`); the install is OAuth2 with the bot (`connect/`); the bot's gateway
 * connection observes what members do (`listen/`); policies reach Discord through `functions/`
 * and host votes there (`voting/`).
 */
export function createDiscordPlatform(deps: DiscordDeps): PlatformDef {
  return definePlatform({
    name: discordPlatformName,
    actions: discordActions(deps),
    triggers: discordTriggers,
    functions: discordFunctions(deps),
    policyDocs: discordPolicyDocs,
    connect: {
      kind: 'oauth',
      scopes: { bot: discordInstallScopes },
      authorizeUrl: deps.options.authorizeUrl,
      tokenUrl: `${deps.options.apiUrl}/oauth2/token`,
      check: discordCheckConnection(deps.options),
    },
    webhooks: [discordInteractions(deps)],
    voting: discordVoting(deps),
    listeners: [discordGateway(deps)],
    http: [discordConnectRoutes(deps), discordSignInRoutes(deps)],
    links: discordLinks,
  })
}
