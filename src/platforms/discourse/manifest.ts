import { definePlatform, type PlatformDef } from '../platform.ts'
import type { PlatformPorts } from '../platform-ports.ts'
import { discourseActions } from './actions.ts'
import { forumFetch } from './client.ts'
import { checkForum, discourseConnectRoutes, discourseLinks } from './connect.ts'
import { discoursePlatformName } from './context.ts'
import { discourseCredentials } from './credentials.ts'
import type { DiscourseOptions } from './options.ts'
import { discourseTriggers } from './triggers.ts'
import { discourseWebhooks } from './webhooks.ts'
import { discourseFunctions } from './functions.ts'
import { discoursePolicyDocs } from './policy-docs.ts'
import { discoursePollListener } from './poll-listener.ts'
import { discourseVoting } from './voting.ts'
import { discourseSignInRoutes } from './signin.ts'
import { discourseSetupRoutes } from './setup.ts'

/**
 * Discourse forums. A community connects a forum with its URL, an admin API key and the username
 * PolicyKit acts as (checked with the forum: `GET /about.json` and the admin user list); members'
 * new topics and replies become governed actions and every webhook event a trigger.
 */
export function createDiscoursePlatform(options: DiscourseOptions, ports: PlatformPorts): PlatformDef {
  return definePlatform({
    name: discoursePlatformName,
    actions: discourseActions(ports),
    triggers: discourseTriggers,
    connect: {
      kind: 'apiKey',
      credentials: discourseCredentials,
      async check(credentials) {
        await checkForum(discourseCredentials.parse(credentials), 'conflict', options)
      },
    },
    functions: discourseFunctions(ports),
    policyDocs: discoursePolicyDocs,
    voting: discourseVoting(ports),
    listeners: [discoursePollListener(options, ports)],
    webhooks: discourseWebhooks(options, ports),
    http: [
      discourseConnectRoutes(options, ports),
      discourseSignInRoutes(options, ports),
      discourseSetupRoutes(options, ports),
    ],
    links: discourseLinks,
    fetch: (base) => forumFetch(options, base),
  })
}
