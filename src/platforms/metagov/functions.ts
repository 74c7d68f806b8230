import type { JsonObject, JsonValue } from '../../domain/json.ts'
import { AppError, isAppError } from '../../errors.ts'
import type { PolicyCallContext, PolicyFunction } from '../platform.ts'
import type { CallbackUrls } from './callback-urls.ts'
import type { PluginCatalog } from './catalog.ts'
import type { GatewayClient, ProcessRecord } from './client.ts'
import { connectionOf, metagovPlatformName } from './context.ts'

/** The process a proposal started: where it lives on the gateway (recorded as its vote post). */
function processOf(ctx: PolicyCallContext): string | null {
  const { proposal } = ctx
  return proposal.votePlatform === metagovPlatformName && proposal.votePostId !== null ? proposal.votePostId : null
}

/** The record as policy code sees it; `poll_url` kept for policies written for older gateways. */
function present(record: ProcessRecord): JsonObject {
  const outcome = record.outcome
  const legacyPollUrl =
    typeof outcome === 'object' && outcome !== null && !Array.isArray(outcome) ? outcome['poll_url'] : undefined
  return {
    ...record,
    poll_url: record.url ?? (typeof legacyPollUrl === 'string' ? legacyPollUrl : null),
  }
}

/**
 * What policy code calls as `metagov.<fn>`: `performAction(name, params)`, `startProcess(name,
 * params)`, `getProcessOutcome()` and `closeProcess()`, always for the proposal's community.
 */
export function metagovFunctions(deps: {
  client: GatewayClient
  catalog: PluginCatalog
  urls: CallbackUrls
}): Record<string, PolicyFunction> {
  const { client, catalog, urls } = deps
  return {
    async performAction(ctx, name, params) {
      const { slug, credentials } = connectionOf(ctx)
      const call = await catalog.check('performAction', 'actions', name, params, credentials)
      return client.performAction(slug, call.id, call.params)
    },

    async startProcess(ctx, name, params) {
      const { slug, credentials } = connectionOf(ctx)
      if (processOf(ctx) !== null) {
        throw new AppError(
          'conflict',
          'metagov.startProcess: this proposal has a process already (metagov.closeProcess() ends it)',
        )
      }
      const call = await catalog.check('startProcess', 'processes', name, params, credentials)
      const location = await client.startProcess(
        slug,
        call.id,
        call.params,
        urls.processCallback(ctx.communityId, ctx.proposal.id),
      )
      const record = await client.process(location)
      const title = call.params['title'] ?? call.params['question']
      const options = call.params['options']
      await ctx.setVotePost({
        postId: location,
        url: record.url ?? null,
        ...(typeof title === 'string' ? { text: title } : {}),
        ...(Array.isArray(options) && options.every((o) => typeof o === 'string') ? { options } : {}),
      })
      return present(record)
    },

    async getProcessOutcome(ctx): Promise<JsonValue> {
      const location = processOf(ctx)
      if (location === null) {
        return null
      }
      const record = await client.process(location)
      if (record.status !== 'completed') {
        return null
      }
      return { status: record.status, outcome: record.outcome ?? null, errors: record.errors ?? null }
    },

    async closeProcess(ctx): Promise<JsonValue> {
      const location = processOf(ctx)
      if (location === null) {
        return null
      }
      try {
        return present(await client.closeProcess(location))
      } catch (e) {
        // Completed already (the gateway answers 400): its record is the final one.
        if (isAppError(e, 'platform_rejected')) {
          return present(await client.process(location))
        }
        throw e
      }
    },
  }
}
