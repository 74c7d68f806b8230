import { z } from 'zod'
import { rowId } from '../../../domain/int4.ts'
import type { Integration } from '../../../domain/community.ts'
import { AppError } from '../../../errors.ts'
import type { Store } from '../../../store/store.ts'
import { defineAction, type ActionDef } from '../../platform.ts'
import type { ConstitutionDeps } from '../constitution-deps.ts'

const params = z.strictObject({ integrationId: rowId })

async function existingIntegration(store: Store, communityId: number, id: number): Promise<Integration> {
  const integration = await store.integrations.get(communityId, id)
  if (!integration) {
    throw new AppError('not_found', `integration ${id} not found in this community`)
  }
  return integration
}

/** Refuses turning on an integration that is on, or a second one for the same platform. */
async function checkActivatable(store: Store, communityId: number, integration: Integration): Promise<void> {
  if (integration.active) {
    throw new AppError('conflict', `integration ${integration.id} (${integration.platform}) is already active`)
  }
  const active = await store.integrations.list(communityId, { activeOnly: true })
  if (active.some((i) => i.platform === integration.platform)) {
    throw new AppError('conflict', `the community already has an active ${integration.platform} integration`)
  }
}

/** Refuses switching on a connection whose platform no longer accepts its credentials. */
async function checkConnection(deps: ConstitutionDeps, communityId: number, integration: Integration): Promise<void> {
  const check = deps.platform?.(integration.platform)?.connect?.check
  if (check) {
    await check(await deps.store.integrations.getCredentials(communityId, integration.id), integration)
  }
}

/**
 * Turning platform connections on and off. Connecting (OAuth, an API key) happens outside
 * governance and leaves the integration inactive; credentials never travel in action params,
 * which are stored in plain text. Only the integration's id does.
 */
export function integrationActions(deps: ConstitutionDeps): Record<string, ActionDef> {
  const { store } = deps
  const addIntegration = defineAction({
    description: 'Activate a connected platform integration',
    params,
    async validate(ctx, { integrationId }) {
      const integration = await existingIntegration(store, ctx.communityId, integrationId)
      await checkActivatable(store, ctx.communityId, integration)
      await checkConnection(deps, ctx.communityId, integration)
    },
    async execute(ctx, { integrationId }) {
      // Again when it passes (a vote may have taken days): outside the transaction, as it asks the platform.
      await checkConnection(deps, ctx.communityId, await existingIntegration(store, ctx.communityId, integrationId))
      return store.transaction(async (trx) => {
        await trx.communities.lock(ctx.communityId)
        const integration = await existingIntegration(trx, ctx.communityId, integrationId)
        await checkActivatable(trx, ctx.communityId, integration)
        await trx.integrations.setActive(ctx.communityId, integrationId, true)
        return { integrationId, platform: integration.platform }
      })
    },
  })

  const removeIntegration = defineAction({
    description: 'Deactivate a platform integration (its credentials are kept)',
    params,
    async validate(ctx, { integrationId }) {
      const integration = await existingIntegration(store, ctx.communityId, integrationId)
      if (!integration.active) {
        throw new AppError('conflict', `integration ${integrationId} (${integration.platform}) is not active`)
      }
    },
    async execute(ctx, { integrationId }) {
      const integration = await existingIntegration(store, ctx.communityId, integrationId)
      await store.integrations.setActive(ctx.communityId, integrationId, false)
      return { integrationId, platform: integration.platform }
    },
  })

  return { addIntegration, removeIntegration }
}
