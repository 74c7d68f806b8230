import assert from 'node:assert/strict'
import { createPlatformPorts } from '../../src/create-platform-ports.ts'
import type { JsonObject } from '../../src/domain/json.ts'
import { silentLogger } from '../../src/engine/logger.ts'
import { PlatformAccess } from '../../src/engine/platform-access.ts'
import type { PlatformPorts } from '../../src/platforms/platform-ports.ts'
import type { PlatformDef } from '../../src/platforms/platform.ts'
import type { Store } from '../../src/store/store.ts'

/** A platform over a store with no engine, a community for it, and its actions called by hand. */
export interface PlatformAlone {
  platform: PlatformDef
  ports: PlatformPorts
  /** The community 'Gardeners' (not connected to the platform yet). */
  communityId: number
  /**
   * Records a PolicyKit action of the platform's `name` and calls its execute (returning its
   * result) or, given that result, its revert, as the engine calls them.
   */
  run: (
    name: string,
    step: 'execute' | 'revert',
    params: JsonObject,
    result?: JsonObject | null,
  ) => Promise<JsonObject | null>
}

export async function platformAlone(input: {
  store: Store
  name: string
  now: () => number
  create: (ports: PlatformPorts) => PlatformDef
}): Promise<PlatformAlone> {
  const { store, name: platformName, now } = input
  const ports = createPlatformPorts({
    platform: platformName,
    store,
    engine: { current: null },
    logger: silentLogger,
    now,
  })
  const platform = input.create(ports)
  const access = new PlatformAccess({ store, platforms: [platform], fetch, logger: silentLogger, now })
  const communityId = (await store.communities.create({ name: 'Gardeners', now: now() })).id
  return {
    platform,
    ports,
    communityId,
    run: async (name, step, params, result = null) => {
      const def = platform.actions[name]
      assert.ok(def)
      const { action } = await store.actions.create(communityId, {
        kind: 'platform',
        type: `${platformName}.${name}`,
        origin: 'policykit',
        initiatorId: null,
        params,
        now: now(),
      })
      const ctx = await access.context(communityId, platform)
      const attempt = { ...ctx, idempotencyKey: `${platformName}:${action.id}:${step}`, retry: false }
      const parsed = def.params.parse(params)
      if (step === 'execute') {
        return (await def.execute?.(attempt, parsed, action)) ?? null
      }
      await def.revert?.(attempt, parsed, result, action)
      return null
    },
  }
}
