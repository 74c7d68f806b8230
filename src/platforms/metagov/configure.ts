import { z } from 'zod'
import { AppError } from '../../errors.ts'
import type { PlatformPorts } from '../platform-ports.ts'
import { defineAction, type ActionDef } from '../platform.ts'
import type { GatewayClient } from './client.ts'
import { connectionOf } from './context.ts'
import { configDigest, planConfig, type EnabledPlugin, type MetagovCredentials } from './plugin-config.ts'

const names = z.array(z.string().max(100)).max(50)

/** What `metagov.configure` carries: the proposed config's digest (its secrets stay encrypted) and the plan. */
const params = z.strictObject({
  digest: z.string().regex(/^[0-9a-f]{32}$/),
  enable: names,
  update: names,
  disable: names,
})

/**
 * `metagov.configure`: the community's Metagov config saved on /metagov/config, governed like
 * every integration change. When it passes, the plugins are disabled, re-created or enabled on
 * the gateway one by one, and what is enabled is saved after each step, so a failure half-way
 * leaves PolicyKit knowing exactly what the gateway has (a retry goes on from there).
 */
export function configureAction(client: GatewayClient, ports: PlatformPorts): ActionDef {
  return defineAction({
    description: 'Enable, update or disable Metagov plugins (the config saved on /metagov/config)',
    params,
    async validate(ctx, { digest }) {
      const { credentials } = connectionOf(ctx)
      if (credentials.proposed[digest] === undefined) {
        throw new AppError('invalid_input', 'no such Metagov config was saved: save it again on /metagov/config')
      }
    },
    async execute(ctx, { digest }) {
      const { slug, credentials } = connectionOf(ctx)
      const integration = ctx.integration
      const next = credentials.proposed[digest]
      if (integration === null) {
        throw new AppError('platform_rejected', 'Metagov is not connected')
      }
      if (next === undefined) {
        if (configDigest(credentials.plugins) === digest) {
          return { enabled: credentials.plugins.map((p) => p.name) }
        }
        throw new AppError('platform_rejected', 'the proposed Metagov config is gone: save it again on /metagov/config')
      }
      const plan = planConfig(credentials.plugins, next)
      let state: MetagovCredentials = credentials
      const save = async (plugins: EnabledPlugin[]) => {
        state = { ...state, plugins }
        await ports.integrations.setCredentials(integration, state)
      }
      for (const name of plan.disable) {
        const old = state.plugins.find((p) => p.name === name)
        if (old) {
          await client.disablePlugin(slug, name, old.id)
          await save(state.plugins.filter((p) => p !== old))
        }
      }
      for (const plugin of next) {
        const old = state.plugins.find((p) => p.name === plugin.name)
        if (plan.unchanged.includes(plugin.name) && old) {
          continue
        }
        if (old) {
          // Changing the field that identifies an instance would add a second one: re-create it.
          await client.disablePlugin(slug, plugin.name, old.id)
          await save(state.plugins.filter((p) => p !== old))
        }
        const created = await client.enablePlugin(slug, plugin.name, plugin.config)
        await save([...state.plugins, { name: plugin.name, config: plugin.config, id: created.id }])
      }
      const proposed = { ...state.proposed }
      delete proposed[digest]
      state = { ...state, proposed }
      await ports.integrations.setCredentials(integration, state)
      return { enabled: state.plugins.map((p) => p.name) }
    },
  })
}
