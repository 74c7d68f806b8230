import { definePlatform, type PlatformDef } from '../platform.ts'
import { slackActions } from './actions.ts'
import { slackCheckConnection } from './check-connection.ts'
import { slackConnectRoutes } from './connect-routes.ts'
import { slackEventRoutes } from './event-routes.ts'
import { slackFunctions } from './functions.ts'
import { slackTriggers } from './listen-triggers.ts'
import { slackPlatformName } from './members.ts'
import { closeVoteMessage } from './close-vote.ts'
import type { SlackDeps } from './slack-deps.ts'

/**
 * Slack, the reference integration. A community connects a workspace by installing the app
 * (OAuth v2, `connect-routes.ts`); messages, renames, joins and pins there become governed
 * actions and every event a trigger (`event-routes.ts`); votes are Block Kit messages whose
 * buttons and reactions count (`vote-message.ts`), and which shows the outcome without buttons
 * once the proposal is decided (`close-vote.ts`); policies reach Slack through `functions.ts`.
 */
export function createSlackPlatform(deps: SlackDeps): PlatformDef {
  return definePlatform({
    name: slackPlatformName,
    actions: slackActions(deps),
    triggers: slackTriggers,
    functions: slackFunctions(deps),
    http: [slackEventRoutes(deps), slackConnectRoutes(deps)],
    checkConnection: slackCheckConnection(deps.options),
    onVoteClosed: closeVoteMessage(deps),
  })
}
