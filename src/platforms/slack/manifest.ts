import { definePlatform, type PlatformDef } from '../platform.ts'
import { slackActions } from './actions/actions.ts'
import { slackCheckConnection } from './connect/check-connection.ts'
import { slackConnectRoutes } from './connect/connect-routes.ts'
import { slackFunctions } from './functions/functions.ts'
import { slackPolicyDocs } from './functions/policy-docs.ts'
import { slackLinks } from './connect/install.ts'
import { slackTriggers } from './listen/triggers.ts'
import { slackPlatformName } from './members.ts'
import { slackBotScopes, slackUserScopes } from './connect/scopes.ts'
import type { SlackDeps } from './slack-deps.ts'
import { slackVoting } from './voting/voting.ts'
import { slackWebhooks } from './listen/webhooks.ts'

/**
 * Slack, the reference integration. A community connects a workspace by installing the app
 * (OAuth v2, `connect/`); messages, renames, joins and pins there become governed
 * actions and every event a trigger (`listen/`); votes are Block Kit messages whose
 * buttons and reactions count (`voting/vote-message.ts`), and which shows the outcome without buttons
 * once the proposal is decided (`voting/voting.ts`); policies reach Slack through `functions/`.
 */
export function createSlackPlatform(deps: SlackDeps): PlatformDef {
  return definePlatform({
    name: slackPlatformName,
    actions: slackActions(deps),
    triggers: slackTriggers,
    functions: slackFunctions(deps),
    policyDocs: slackPolicyDocs,
    connect: {
      kind: 'oauth',
      scopes: { bot: slackBotScopes, user: slackUserScopes },
      authorizeUrl: deps.options.authorizeUrl,
      tokenUrl: `${deps.options.apiUrl}oauth.v2.access`,
      check: slackCheckConnection(deps.options),
    },
    webhooks: slackWebhooks(deps),
    voting: slackVoting(deps),
    http: [slackConnectRoutes(deps)],
    links: slackLinks,
  })
}
