import { z } from 'zod'
import { rowId } from '../../domain/int4.ts'
import type { Integration } from '../../domain/community.ts'
import type { JsonObject } from '../../domain/json.ts'
import { AppError } from '../../errors.ts'
import { managingMember } from '../kit/community-install.ts'
import { activate } from '../kit/install-steps.ts'
import type { PlatformHttp } from '../platform-http.ts'
import type { PlatformPorts } from '../platform-ports.ts'
import type { PlatformLinks } from '../platform.ts'
import type { GatewayClient } from './client.ts'
import { metagovPlatformName } from './context.ts'
import {
  checkConfigs,
  configDigest,
  configDocument,
  maskConfig,
  metagovCredentials,
  planConfig,
  translateLegacy,
  unmask,
  type MetagovCredentials,
} from './plugin-config.ts'

export const metagovLinks = {
  title: 'Metagov',
  installPath: null,
  signInPath: null,
} satisfies PlatformLinks

const communityQuery = z.object({ community: z.coerce.number().pipe(rowId) })
const connectBody = z.object({ community: rowId, readableName: z.string().trim().min(1).max(200).optional() })
const saveBody = z.object({
  community: rowId,
  config: configDocument,
  /** The member saw the warning that changed plugins are re-created and lose their pending processes. */
  confirmRecreate: z.boolean().default(false),
})

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value)
  if (!parsed.success) {
    throw new AppError('invalid_input', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '))
  }
  return parsed.data
}

async function connection(
  ports: PlatformPorts,
  communityId: number,
): Promise<{ integration: Integration; credentials: MetagovCredentials } | null> {
  const [integration] = await ports.integrations.list(communityId)
  if (!integration) {
    return null
  }
  return { integration, credentials: metagovCredentials.parse(await ports.integrations.credentials(integration)) }
}

/**
 * The config page's API, for members who hold `manage_integrations`:
 * `POST /platforms/metagov/connect` makes the community's gateway community (stored switched off)
 * and proposes switching it on (`constitution.addIntegration`); `GET /platforms/metagov/config`
 * gives the config in the seed's shape with secrets masked, and the gateway's schemas (which
 * explain each field); `POST /platforms/metagov/config` checks a new config against those schemas
 * before anything is sent, and proposes `metagov.configure`. A changed plugin is re-created by the
 * gateway and loses its pending processes: saving one is refused (`conflict`, naming it) until
 * `confirmRecreate` says the member saw that.
 */
export function metagovConfigRoutes(client: GatewayClient, ports: PlatformPorts): PlatformHttp {
  return async (app, host) => {
    app.post('/connect', async (request) => {
      const body = parse(connectBody, request.body)
      const member = await managingMember(host, request, body.community, 'Metagov')
      let found = await connection(ports, body.community)
      if (!found) {
        const created = await client.createCommunity(body.readableName ?? `PolicyKit community ${body.community}`)
        const integration = await ports.integrations.createInactive(body.community, {
          externalId: created.slug,
          config: { readableName: body.readableName ?? `PolicyKit community ${body.community}` },
          credentials: { plugins: [], proposed: {} },
        })
        found = { integration, credentials: { plugins: [], proposed: {} } }
      }
      const activation = await activate(ports, body.community, member.id, found.integration)
      return { integrationId: found.integration.id, slug: found.integration.externalId, activation }
    })

    app.get('/config', async (request) => {
      const { community } = parse(communityQuery, request.query)
      await managingMember(host, request, community, 'Metagov')
      const found = await connection(ports, community)
      const schemas = await client.pluginSchemas()
      if (!found) {
        return { connected: false, active: false, config: null, schemas }
      }
      const { integration, credentials } = found
      const readable = integration.config['readableName']
      return {
        connected: true,
        active: integration.active,
        config: {
          name: integration.externalId,
          readable_name: typeof readable === 'string' ? readable : integration.externalId,
          plugins: credentials.plugins.map((p) => ({ name: p.name, config: maskConfig(p.config) })),
        },
        schemas,
      }
    })

    app.post('/config', async (request) => {
      const body = parse(saveBody, request.body)
      const member = await managingMember(host, request, body.community, 'Metagov')
      const found = await connection(ports, body.community)
      if (!found?.integration.active) {
        throw new AppError('conflict', 'Metagov is not switched on for this community: connect it first')
      }
      const { integration, credentials } = found
      const saved = new Map(credentials.plugins.map((p) => [p.name, p]))
      const next = body.config.plugins.map((p) => unmask(translateLegacy(p), saved.get(p.name)))
      checkConfigs(next, await client.pluginSchemas())
      const plan = planConfig(credentials.plugins, next)
      if (plan.update.length > 0 && !body.confirmRecreate) {
        throw new AppError(
          'conflict',
          `saving re-creates ${plan.update.join(', ')} on the gateway: their pending processes (open votes) are lost. Save again to confirm.`,
        )
      }
      if (plan.enable.length + plan.update.length + plan.disable.length === 0) {
        return { status: 'unchanged', plan }
      }
      const digest = configDigest(next)
      await ports.integrations.setCredentials(integration, {
        ...credentials,
        proposed: { ...credentials.proposed, [digest]: next },
      } satisfies MetagovCredentials as JsonObject)
      const outcome = await ports.propose({
        communityId: body.community,
        type: `${metagovPlatformName}.configure`,
        params: { digest, enable: plan.enable, update: plan.update, disable: plan.disable },
        initiatorId: member.id,
        origin: 'policykit',
      })
      return {
        status: outcome.status,
        plan,
        ...('proposal' in outcome && outcome.proposal ? { proposalId: outcome.proposal.id } : {}),
        ...(outcome.status === 'forbidden' ? { reason: outcome.reason } : {}),
      }
    })
  }
}
