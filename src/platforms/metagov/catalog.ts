import type { JsonObject } from '../../domain/json.ts'
import { AppError } from '../../errors.ts'
import type { GatewayClient, PluginMetadata } from './client.ts'
import type { MetagovCredentials } from './plugin-config.ts'
import { schemaProblems } from './schema-check.ts'

/**
 * What the gateway's plugins offer (their metadata, read once per plugin and kept), and the
 * checks a policy's call passes before anything is sent: the plugin is enabled in the community,
 * the action or process exists, and the parameters fit its schema. Each refusal names the plugin
 * and the problem, for the policy's author.
 */
export class PluginCatalog {
  private readonly client: GatewayClient
  private readonly metadata = new Map<string, Promise<PluginMetadata>>()

  constructor(client: GatewayClient) {
    this.client = client
  }

  private async metadataOf(plugin: string): Promise<PluginMetadata> {
    let found = this.metadata.get(plugin)
    if (!found) {
      found = this.client.pluginMetadata(plugin)
      this.metadata.set(plugin, found)
      // A failed read is not remembered: the next call asks again.
      found.catch(() => this.metadata.delete(plugin))
    }
    return found
  }

  /** Checks `metagov.<fn>('<plugin>.<name>', params)` and gives the plugin's name. */
  async check(
    fn: string,
    kind: 'actions' | 'processes',
    id: unknown,
    params: unknown,
    credentials: MetagovCredentials,
  ): Promise<{ id: string; plugin: string; params: JsonObject }> {
    if (typeof id !== 'string' || !/^[a-z0-9_-]+\.[a-z0-9_-]+$/i.test(id)) {
      throw new AppError(
        'invalid_input',
        `metagov.${fn}: the first argument must be '<plugin>.<name>', e.g. 'randomness.random-int'`,
      )
    }
    const plugin = id.slice(0, id.indexOf('.'))
    const enabled = credentials.plugins.map((p) => p.name)
    if (!enabled.includes(plugin)) {
      throw new AppError(
        'invalid_input',
        `metagov.${fn}('${id}'): the plugin ${plugin} is not enabled in this community (enabled: ${enabled.join(', ') || 'none'}); enable it on /metagov/config`,
      )
    }
    const given = params ?? {}
    if (typeof given !== 'object' || given === null || Array.isArray(given)) {
      throw new AppError('invalid_input', `metagov.${fn}('${id}'): the parameters must be an object`)
    }
    const metadata = await this.metadataOf(plugin)
    const operations = metadata.schemas[kind]
    const operation = operations.find((o) => o.id === id)
    if (!operation) {
      const offered = operations.map((o) => o.id).join(', ') || 'none'
      throw new AppError(
        'invalid_input',
        `metagov.${fn}: the plugin ${plugin} has no ${kind === 'actions' ? 'action' : 'process'} '${id}' (it has: ${offered})`,
      )
    }
    const problems = schemaProblems(operation.parameters_schema ?? null, given)
    if (problems.length > 0) {
      throw new AppError(
        'invalid_input',
        `metagov.${fn}('${id}'): the parameters do not fit the plugin ${plugin}'s schema: ${problems.join('; ')}`,
      )
    }
    return { id, plugin, params: given as JsonObject }
  }
}
