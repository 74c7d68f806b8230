import { readFileSync } from 'node:fs'
import type { Schema } from '../slack/json-schema.ts'

/** One plugin's metadata, as `plugin-metadata.json` (the gateway's own schemas) gives it. */
export interface PluginSpec {
  name: string
  auth_type: string
  uses_webhook: boolean
  'x-community_platform_id_key': string | null
  schemas: {
    config: Schema | null
    actions: { id: string; description: string | null; parameters_schema: Schema | null; is_public: boolean }[]
    events: unknown[]
    processes: { id: string; description: string | null; parameters_schema: Schema | null }[]
  }
}

const specPath = new URL('../../fixtures/metagov/plugin-metadata.json', import.meta.url)

let loaded: Record<string, PluginSpec> | undefined

/** Every plugin the gateway knows, by name. */
export function pluginSpecs(): Record<string, PluginSpec> {
  loaded ??= (JSON.parse(readFileSync(specPath, 'utf8')) as { plugins: Record<string, PluginSpec> }).plugins
  return loaded
}

/** The gateway's JSON spacing (Python's `json.dumps`: `{"a": 1, "b": [1, 2]}`). */
export function pythonJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    return JSON.stringify(value) ?? 'null'
  }
  if (Array.isArray(value)) {
    return `[${value.map(pythonJson).join(', ')}]`
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined)
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${pythonJson(v)}`).join(', ')}}`
}
