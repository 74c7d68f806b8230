import { z } from 'zod'
import type { JsonObject, JsonValue } from '../../domain/json.ts'
import { AppError } from '../../errors.ts'

/** A plugin instance as the gateway lists it. */
export const gatewayPlugin = z.object({
  id: z.number().int(),
  name: z.string(),
  config: z.record(z.string(), z.json()).nullable().optional(),
})
export type GatewayPlugin = z.infer<typeof gatewayPlugin>

const gatewayCommunity = z.object({
  slug: z.string().min(1),
  readable_name: z.string().nullable().optional(),
  plugins: z.array(gatewayPlugin).optional(),
})

/** A governance process as the gateway reports it (GET its Location, and callbacks). */
export const processRecord = z.looseObject({
  id: z.number().int(),
  name: z.string(),
  community: z.string().nullable().optional(),
  status: z.enum(['created', 'pending', 'completed']),
  url: z.string().nullable().optional(),
  errors: z.json().nullable().optional(),
  outcome: z.json().nullable().optional(),
})
export type ProcessRecord = z.infer<typeof processRecord>

/** One entry of `schemas.actions` / `schemas.processes` in a plugin's metadata. */
const operation = z.object({
  id: z.string(),
  description: z.string().nullable().optional(),
  parameters_schema: z.record(z.string(), z.json()).nullable().optional(),
})
export const pluginMetadata = z.object({
  name: z.string(),
  auth_type: z.string().nullable().optional(),
  schemas: z.object({
    config: z.record(z.string(), z.json()).nullable().optional(),
    actions: z.array(operation).default([]),
    processes: z.array(operation).default([]),
  }),
})
export type PluginMetadata = z.infer<typeof pluginMetadata>

interface Answer {
  status: number
  location: string | null
  json: unknown
  text: string
}

/**
 * Every HTTP call to the Metagov gateway, and nothing else. The gateway answers plain-text 400s
 * and JSON 500s; a network failure or a 5xx is `platform_unavailable` (the engine retries, a
 * policy's check stays pending), anything else `platform_rejected` with the gateway's own words.
 */
export class GatewayClient {
  private readonly fetchFn: typeof fetch
  private readonly baseUrl: string

  constructor(fetchFn: typeof fetch, baseUrl: string) {
    this.fetchFn = fetchFn
    this.baseUrl = baseUrl
  }

  private async call(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    options: { community?: string; body?: JsonValue } = {},
  ): Promise<Answer> {
    const what = `${method} ${path.split('?')[0] ?? path}`
    let response: Response
    try {
      response = await this.fetchFn(`${this.baseUrl}${path}`, {
        method,
        headers: {
          accept: 'application/json',
          ...(options.community === undefined ? {} : { 'x-metagov-community': options.community }),
          ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
        redirect: 'manual',
        signal: AbortSignal.timeout(10_000),
      })
    } catch (e) {
      throw new AppError('platform_unavailable', `Metagov gateway: ${what}: it cannot be reached`, { cause: e })
    }
    const text = await response.text()
    let json: unknown = undefined
    try {
      json = text === '' ? undefined : JSON.parse(text)
    } catch {
      json = undefined
    }
    if (response.status >= 500) {
      throw new AppError('platform_unavailable', `Metagov gateway: ${what} answered ${response.status}`)
    }
    if (response.status >= 400) {
      const said = typeof json === 'object' && json !== null ? JSON.stringify(json) : text.trim()
      throw new AppError(
        'platform_rejected',
        `Metagov gateway: ${what} answered ${response.status}${said ? ` (${said.slice(0, 500)})` : ''}`,
      )
    }
    return { status: response.status, location: response.headers.get('location'), json, text }
  }

  private static parse<T>(schema: z.ZodType<T>, what: string, value: unknown): T {
    const parsed = schema.safeParse(value)
    if (!parsed.success) {
      throw new AppError('platform_rejected', `Metagov gateway: ${what} gave an answer PolicyKit does not understand`)
    }
    return parsed.data
  }

  /** A new gateway community (its slug chosen by the gateway), with no plugins. */
  async createCommunity(readableName: string): Promise<{ slug: string }> {
    const answer = await this.call('POST', '/api/internal/community', {
      body: { readable_name: readableName, plugins: [] },
    })
    return GatewayClient.parse(gatewayCommunity, 'creating the community', answer.json)
  }

  async community(slug: string): Promise<z.infer<typeof gatewayCommunity>> {
    const answer = await this.call('GET', `/api/internal/community/${encodeURIComponent(slug)}`)
    return GatewayClient.parse(gatewayCommunity, 'reading the community', answer.json)
  }

  /** Enables (or re-configures: a changed config re-creates the instance) one plugin. */
  async enablePlugin(slug: string, name: string, config: JsonObject): Promise<GatewayPlugin> {
    const answer = await this.call('POST', `/api/internal/plugin/${encodeURIComponent(name)}`, {
      community: slug,
      body: config,
    })
    return GatewayClient.parse(gatewayPlugin, `enabling ${name}`, answer.json)
  }

  /** Deletes one plugin instance; one already gone counts as deleted. */
  async disablePlugin(slug: string, name: string, id: number): Promise<void> {
    try {
      await this.call('DELETE', `/api/internal/plugin/${encodeURIComponent(name)}/${id}`, { community: slug })
    } catch (e) {
      if (e instanceof AppError && e.code === 'platform_rejected' && / 404/.test(e.message)) {
        return
      }
      throw e
    }
  }

  /** Each plugin's config JSON Schema, by plugin name. */
  async pluginSchemas(): Promise<Record<string, JsonObject>> {
    const answer = await this.call('GET', '/api/internal/plugin-schemas')
    return GatewayClient.parse(z.record(z.string(), z.record(z.string(), z.json())), 'plugin-schemas', answer.json)
  }

  async pluginMetadata(name: string): Promise<PluginMetadata> {
    const answer = await this.call('GET', `/api/internal/plugin/${encodeURIComponent(name)}/metadata`)
    return GatewayClient.parse(pluginMetadata, `${name}'s metadata`, answer.json)
  }

  /** `POST /api/internal/action/<plugin>.<action>` with `{ parameters }`: the action's result (null if none). */
  async performAction(slug: string, id: string, parameters: JsonObject): Promise<JsonValue> {
    const answer = await this.call('POST', `/api/internal/action/${encodeURIComponent(id)}`, {
      community: slug,
      body: { parameters },
    })
    return answer.json === undefined ? null : GatewayClient.parse(z.json(), id, answer.json)
  }

  /** Starts a process; the gateway answers 202 and where the process lives (`Location`). */
  async startProcess(slug: string, id: string, parameters: JsonObject, callbackUrl: string): Promise<string> {
    const answer = await this.call('POST', `/api/internal/process/${encodeURIComponent(id)}`, {
      community: slug,
      body: { ...parameters, callback_url: callbackUrl },
    })
    const location = answer.location
    if (answer.status !== 202 || location === null || !location.startsWith(`/api/internal/process/${id}/`)) {
      throw new AppError('platform_rejected', `Metagov gateway: starting ${id} gave no process location`)
    }
    return location
  }

  /** The process at `location` (as `startProcess` gave it). */
  async process(location: string): Promise<ProcessRecord> {
    const answer = await this.call('GET', location)
    return GatewayClient.parse(processRecord, 'reading a process', answer.json)
  }

  /** Closes the process now and gives its final record. */
  async closeProcess(location: string): Promise<ProcessRecord> {
    const answer = await this.call('DELETE', location)
    return GatewayClient.parse(processRecord, 'closing a process', answer.json)
  }
}
