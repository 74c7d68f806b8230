import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Action } from '../../domain/action.ts'
import type { JsonObject } from '../../domain/json.ts'
import type { ProposeOutcome } from '../../engine/engine.ts'
import { AppError, toError } from '../../errors.ts'
import type { ActionDef, PlatformDef } from '../../platforms/platform.ts'
import type { Store } from '../../store/store.ts'
import { requireMember, type CommunityAccess } from '../community-access.ts'
import { presentAction } from '../present.ts'
import type { ActionTypeJson, ProposeResultJson } from '../presenters.ts'
import type { ServerDeps } from '../server-deps.ts'
import { actionTypeJson, communityParams, jsonObject, proposeResultJson } from './community-schemas.ts'

/** An action type PolicyKit can carry out in one community. */
interface Performable {
  type: string
  platform: PlatformDef
  def: ActionDef
}

/**
 * The action types a member could propose in PolicyKit for the community to carry out: every
 * action with an `execute` of the built-in platforms (the constitution) and of the platforms
 * the community has connected.
 */
async function performableTypes(
  store: Store,
  platforms: readonly PlatformDef[],
  communityId: number,
): Promise<Performable[]> {
  const connected = new Set(
    (await store.integrations.list(communityId, { activeOnly: true })).map((integration) => integration.platform),
  )
  const types: Performable[] = []
  for (const platform of platforms) {
    if (!platform.builtIn && !connected.has(platform.name)) {
      continue
    }
    for (const [name, def] of Object.entries(platform.actions)) {
      if (def.execute) {
        types.push({ type: `${platform.name}.${name}`, platform, def })
      }
    }
  }
  return types
}

/** What carrying `action` out made, by the keys its type `creates`; `{}` until it was carried out. */
function createdBy(platforms: readonly PlatformDef[], action: Action): Record<string, number | string> {
  const name = action.type.slice(action.platform.length + 1)
  const creates = platforms.find((p) => p.name === action.platform)?.actions[name]?.creates ?? []
  const created: Record<string, number | string> = {}
  if (action.executionState !== 'executed') {
    return created
  }
  for (const key of creates) {
    const value = action.result?.[key]
    if (typeof value === 'number' || typeof value === 'string') {
      created[key] = value
    }
  }
  return created
}

/**
 * What became of a proposal made through the API, with the action read again: the engine may
 * have carried it out (or reverted it) since it was proposed. `forbidden` is an error, not a result.
 */
export async function proposeResult(
  deps: Pick<ServerDeps, 'store' | 'platforms'>,
  outcome: ProposeOutcome,
): Promise<ProposeResultJson> {
  if (outcome.status === 'forbidden') {
    throw new AppError('forbidden', outcome.reason)
  }
  const { store } = deps
  const action = (await store.actions.get(outcome.action.communityId, outcome.action.id)) ?? outcome.action
  const initiator =
    action.initiatorId === null ? undefined : await store.members.get(action.communityId, action.initiatorId)
  const proposal = outcome.status === 'executed' || outcome.status === 'ungoverned' ? undefined : outcome.proposal
  return {
    status: outcome.status,
    action: presentAction(action, initiator),
    proposalId: proposal?.id ?? null,
    proposalNumber: proposal?.number ?? null,
    created: createdBy(deps.platforms, action),
  }
}

/** `GET /action-types` and `POST /actions`: what can be proposed, and proposing it. */
export async function actionRoutes(app: FastifyInstance, deps: ServerDeps): Promise<void> {
  const routes = app.withTypeProvider<ZodTypeProvider>()
  const { store, engine, platforms, logger } = deps

  /** Each type's params as JSON Schema, converted once; `{}` for a schema JSON Schema cannot say. */
  const paramsSchemas = new Map<string, JsonObject>()
  function paramsSchema({ type, def }: Performable): JsonObject {
    let schema = paramsSchemas.get(type)
    if (!schema) {
      try {
        schema = jsonObject.parse(
          JSON.parse(JSON.stringify(z.toJSONSchema(def.params, { io: 'input', unrepresentable: 'any' }))),
        )
      } catch (e) {
        logger.warn({ type, err: toError(e) }, 'action-types: params schema has no JSON Schema form')
        schema = {}
      }
      paramsSchemas.set(type, schema)
    }
    return schema
  }

  function presentType(access: CommunityAccess, performable: Performable): ActionTypeJson {
    const { type, platform, def } = performable
    const canExecute = access.can(`execute:${type}`)
    return {
      type,
      platform: platform.name,
      kind: platform.kind ?? 'platform',
      description: def.description,
      paramsSchema: paramsSchema(performable),
      canPropose: canExecute || access.can(`propose:${type}`),
      canExecute,
      revertible: def.revert !== undefined,
    }
  }

  routes.get(
    '/communities/:communityId/action-types',
    {
      schema: {
        summary: 'Action types that can be proposed here, with a JSON Schema of their params',
        tags: ['actions'],
        params: communityParams,
        response: { 200: z.array(actionTypeJson) },
      },
    },
    async (request) => {
      const access = await requireMember(deps, request, request.params.communityId)
      const types = await performableTypes(store, platforms, access.community.id)
      return types.map((t) => presentType(access, t))
    },
  )

  routes.post(
    '/communities/:communityId/actions',
    {
      schema: {
        summary: 'Propose an action; the policy that governs it decides',
        description:
          'Executed at once when the caller holds execute for the type; otherwise governed by a policy. The answer shows the action as it is when sent (executed, if it was carried out within the request) and, in `created`, the ids of what that made. 403 without propose permission; 400 when the params are not valid for the type.',
        tags: ['actions'],
        params: communityParams,
        body: z.object({ type: z.string().min(1), params: jsonObject.default({}) }),
        response: { 201: proposeResultJson },
      },
    },
    async (request, reply) => {
      const access = await requireMember(deps, request, request.params.communityId)
      const { type, params } = request.body
      const types = await performableTypes(store, platforms, access.community.id)
      if (!types.some((t) => t.type === type)) {
        throw new AppError('invalid_input', `${type} is not an action type PolicyKit can carry out in this community`)
      }
      const outcome = await engine.propose({
        communityId: access.community.id,
        type,
        params,
        initiatorId: access.member.id,
        origin: 'policykit',
      })
      reply.code(201)
      return proposeResult(deps, outcome)
    },
  )
}
