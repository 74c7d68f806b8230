import { createHash } from 'node:crypto'
import { z } from 'zod'
import type { JsonObject } from '../../domain/json.ts'
import { AppError } from '../../errors.ts'
import { schemaProblems } from './schema-check.ts'

/** What the config page shows in place of a saved secret; sent back unchanged, it keeps the secret. */
export const maskedSecret = '********'

/** A field whose value is a secret (masked once saved): keys, tokens, secrets, passwords. */
export function isSecretField(name: string): boolean {
  return /key|secret|token|password/i.test(name)
}

const pluginEntry = z.object({ name: z.string().min(1).max(100), config: z.record(z.string(), z.json()).default({}) })

/** The config document the page edits, in the seed's shape; `name` and `readable_name` are PolicyKit's. */
export const configDocument = z.object({
  name: z.string().optional(),
  readable_name: z.string().optional(),
  plugins: z.array(pluginEntry).max(50),
})

export interface PluginConfig {
  name: string
  config: JsonObject
}

/** A plugin as it is enabled on the gateway: its config and the gateway's instance id. */
export interface EnabledPlugin extends PluginConfig {
  id: number
}

/** The community's Metagov connection, stored encrypted (plugin configs carry API keys). */
export const metagovCredentials = z.object({
  plugins: z
    .array(z.object({ name: z.string(), config: z.record(z.string(), z.json()), id: z.number().int() }))
    .default([]),
  /** Configs proposed by `metagov.configure`, by digest, until the proposal passes. */
  proposed: z
    .record(z.string(), z.array(z.object({ name: z.string(), config: z.record(z.string(), z.json()) })))
    .default({}),
})
export type MetagovCredentials = z.infer<typeof metagovCredentials>

/**
 * Older gateways' field names, as the Integrations guide's example still spells them: Open
 * Collective's `api_key` is today's `access_token`, and its `webhook_slug` is gone (the gateway
 * registers the webhook itself). Translated so that the guide's example is accepted as it is.
 */
export function translateLegacy(plugin: PluginConfig): PluginConfig {
  if (plugin.name !== 'opencollective') {
    return plugin
  }
  const { api_key: apiKey, ...rest } = plugin.config
  delete rest['webhook_slug']
  return {
    name: plugin.name,
    config: apiKey !== undefined && rest['access_token'] === undefined ? { ...rest, access_token: apiKey } : rest,
  }
}

/** The config as the page shows it: secrets masked. */
export function maskConfig(config: JsonObject): JsonObject {
  return Object.fromEntries(
    Object.entries(config).map(([key, value]) => [
      key,
      isSecretField(key) && typeof value === 'string' && value !== '' ? maskedSecret : value,
    ]),
  )
}

/** Puts back each secret the page sent masked, from the plugin's saved config. */
export function unmask(plugin: PluginConfig, saved: PluginConfig | undefined): PluginConfig {
  const config = Object.fromEntries(
    Object.entries(plugin.config).map(([key, value]) => [
      key,
      value === maskedSecret && isSecretField(key) ? (saved?.config[key] ?? value) : value,
    ]),
  )
  return { name: plugin.name, config }
}

/** Checks every plugin's config against the gateway's schemas; the error names each plugin and problem. */
export function checkConfigs(plugins: PluginConfig[], schemas: Record<string, JsonObject>): void {
  const problems: string[] = []
  const seen = new Set<string>()
  for (const plugin of plugins) {
    if (seen.has(plugin.name)) {
      problems.push(`${plugin.name}: listed twice`)
      continue
    }
    seen.add(plugin.name)
    const schema = schemas[plugin.name]
    if (schema === undefined) {
      problems.push(`${plugin.name}: the gateway has no such plugin (it has ${Object.keys(schemas).sort().join(', ')})`)
      continue
    }
    for (const problem of schemaProblems(schema, plugin.config)) {
      problems.push(`${plugin.name} config: ${problem}`)
    }
    for (const [key, value] of Object.entries(plugin.config)) {
      if (value === maskedSecret) {
        problems.push(`${plugin.name} config: ${key}: give the secret (nothing is saved for it yet)`)
      }
    }
  }
  if (problems.length > 0) {
    throw new AppError('invalid_input', `Metagov config: ${problems.join('; ')}`)
  }
}

/** What saving a config does on the gateway, plugin by plugin. */
export interface ConfigPlan {
  enable: string[]
  /** Changed configs: the gateway re-creates these plugins, losing their pending processes. */
  update: string[]
  disable: string[]
  unchanged: string[]
}

const canonical = (config: JsonObject) =>
  JSON.stringify(Object.fromEntries(Object.entries(config).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))))

export function planConfig(current: PluginConfig[], next: PluginConfig[]): ConfigPlan {
  const before = new Map(current.map((p) => [p.name, p]))
  const plan: ConfigPlan = { enable: [], update: [], disable: [], unchanged: [] }
  for (const plugin of next) {
    const old = before.get(plugin.name)
    if (!old) {
      plan.enable.push(plugin.name)
    } else if (canonical(old.config) !== canonical(plugin.config)) {
      plan.update.push(plugin.name)
    } else {
      plan.unchanged.push(plugin.name)
    }
  }
  const names = new Set(next.map((p) => p.name))
  plan.disable = current.filter((p) => !names.has(p.name)).map((p) => p.name)
  return plan
}

/** Names a proposed config (so the action's params carry no secret). */
export function configDigest(plugins: PluginConfig[]): string {
  return createHash('sha256')
    .update(JSON.stringify(plugins.map((p) => [p.name, canonical(p.config)])))
    .digest('hex')
    .slice(0, 32)
}
