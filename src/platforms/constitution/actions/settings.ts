import { z } from 'zod'
import type { JsonObject } from '../../../domain/json.ts'
import { nameSchema, refuseSameName } from '../../../domain/names.ts'
import { sweepSecondsSchema } from '../../../domain/community-settings.ts'
import { defineAction, type ActionDef } from '../../platform.ts'
import type { ConstitutionDeps } from '../constitution-deps.ts'

/**
 * Strict: an unknown setting is refused, not stored and ignored. `sweepSeconds: null` goes back
 * to sweeping at the server's interval.
 */
const changeSettingsParams = z
  .strictObject({
    name: nameSchema(200).optional(),
    sweepSeconds: sweepSecondsSchema.nullable().optional(),
  })
  .refine((p) => Object.keys(p).length > 0, 'name at least one setting to change (name, sweepSeconds)')

export function settingsActions({ store }: ConstitutionDeps): Record<string, ActionDef> {
  const changeSettings = defineAction({
    description: "Change the community's name or settings (sweepSeconds: how often pending proposals are re-checked)",
    params: changeSettingsParams,
    async validate(ctx, { name }) {
      if (name !== undefined) {
        refuseSameName('a community', await store.communities.listAll(), name, ctx.communityId)
      }
    },
    async execute(ctx, { name, sweepSeconds }) {
      return store.transaction(async (trx) => {
        if (name !== undefined) {
          refuseSameName('a community', await trx.communities.listAll(), name, ctx.communityId)
        }
        const community = await trx.communities.get(ctx.communityId)
        const others: JsonObject = { ...community?.settings }
        delete others['sweepSeconds']
        const settings =
          sweepSeconds === undefined ? undefined : { ...others, ...(sweepSeconds !== null && { sweepSeconds }) }
        const updated = await trx.communities.update(ctx.communityId, {
          ...(name !== undefined && { name }),
          ...(settings !== undefined && { settings }),
        })
        return { name: updated.name, settings: updated.settings }
      })
    },
  })
  return { changeSettings }
}
