import { definePlatform, type PlatformDef } from '../platform.ts'
import type { PlatformPorts } from '../platform-ports.ts'
import { redditActions } from './actions.ts'
import { redditApi } from './api.ts'
import { redditConnectRoutes, redditLinks } from './connect/connect-routes.ts'
import { redditModScopes } from './connect/scopes.ts'
import type { RedditDeps } from './deps.ts'
import { redditFunctions } from './functions.ts'
import { redditPolicyDocs } from './policy-docs.ts'
import { redditPoller } from './listen/poller.ts'
import { redditOperations } from './operations.ts'
import type { RedditOptions } from './options.ts'
import { rateBudget } from './rate-budget.ts'
import { redditTriggers } from './triggers.ts'
import { redditVoting } from './voting/voting.ts'
import { AppError, isAppError } from '../../errors.ts'

/**
 * Reddit. A moderator connects one subreddit they moderate (OAuth, permanent, moderator scopes);
 * PolicyKit acts there as them. Reddit sends no webhooks: a poller (`listen/`) reads new posts,
 * comments, the mod queue and the mod log, governs members' posts and comments, offers every item
 * to trigger policies and counts replies to votes (`voting/`).
 */
export function createRedditPlatform(
  options: RedditOptions,
  ports: PlatformPorts,
  fetchImpl: typeof fetch = fetch,
): PlatformDef {
  const deps: RedditDeps = { options, ports, fetch: fetchImpl, budget: rateBudget(), refreshing: new Map() }
  const ops = redditOperations(deps)
  return definePlatform({
    name: 'reddit',
    actions: redditActions(ops),
    triggers: redditTriggers,
    functions: redditFunctions(deps, ops),
    policyDocs: redditPolicyDocs,
    connect: {
      kind: 'oauth',
      scopes: { moderator: redditModScopes },
      authorizeUrl: `${options.oauthUrl}/api/v1/authorize`,
      tokenUrl: `${options.oauthUrl}/api/v1/access_token`,
      async check(credentials, integration) {
        try {
          await redditApi(deps, integration, credentials).get('/api/v1/me')
        } catch (e) {
          if (isAppError(e, 'platform_rejected')) {
            throw new AppError(
              'conflict',
              `Reddit no longer accepts this connection (${e.message}): reconnect Reddit from Settings`,
              {
                cause: e,
              },
            )
          }
          throw e
        }
      },
    },
    voting: redditVoting(deps, ops),
    http: [redditConnectRoutes(deps)],
    links: redditLinks,
    listeners: [redditPoller(deps, ops)],
  })
}
