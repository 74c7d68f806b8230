import { definePlatform, type PlatformDef } from '../platform.ts'
import type { PlatformPorts } from '../platform-ports.ts'
import { CallbackUrls } from './callback-urls.ts'
import { PluginCatalog } from './catalog.ts'
import { GatewayClient } from './client.ts'
import { metagovConfigRoutes, metagovLinks } from './config-routes.ts'
import { configureAction } from './configure.ts'
import { metagovPlatformName } from './context.ts'
import { metagovFunctions } from './functions.ts'
import { metagovPolicyDocs } from './policy-docs.ts'
import type { MetagovOptions } from './options.ts'
import { closeProcessVote } from './voting.ts'
import { metagovEventData, metagovWebhooks } from './webhooks.ts'

/**
 * The Metagov gateway, deployed beside PolicyKit: through its plugins policies reach Open
 * Collective, Loomio, SourceCred, GitHub and other governance tools. Events its plugins send
 * become `metagov.event` triggers; policy code calls `metagov.performAction`, `startProcess`,
 * `getProcessOutcome` and `closeProcess`; a proposal's process is its vote (closed when it is
 * decided). Each community's plugins are configured on /metagov/config, governed.
 */
export function createMetagovPlatform(options: MetagovOptions, ports: PlatformPorts): PlatformDef {
  const client = new GatewayClient(fetch, options.url)
  const urls = new CallbackUrls(ports.deriveKey('metagov callbacks'), ports.publicUrl)
  const catalog = new PluginCatalog(client)
  return definePlatform({
    name: metagovPlatformName,
    actions: { configure: configureAction(client, ports) },
    triggers: {
      event: {
        description: "An event a Metagov plugin sent (eventType '<plugin>.<event>', eventData, initiator)",
        data: metagovEventData,
      },
    },
    functions: metagovFunctions({ client, catalog, urls }),
    policyDocs: metagovPolicyDocs,
    webhooks: metagovWebhooks(urls, ports),
    voting: {
      open: 'startProcess',
      async refresh() {
        // The process's own tool (Loomio, GitHub…) shows its tally.
      },
      close: (ctx, proposal) => closeProcessVote(client, ctx, proposal),
    },
    http: [metagovConfigRoutes(client, ports)],
    links: metagovLinks,
  })
}
