import type { Action } from '../domain/action.ts'
import type { Integration } from '../domain/community.ts'
import type { JsonObject } from '../domain/json.ts'
import type { Proposal } from '../domain/proposal.ts'
import { AppError, toError } from '../errors.ts'
import type {
  ActionDef,
  ActionPresentation,
  PresentWant,
  KnownTypes,
  PlatformContext,
  PlatformDef,
  PlatformLogger,
  PolicyCallContext,
  ValidateContext,
} from '../platforms/platform.ts'
import type { HostFunction } from '../sandbox/sandbox.ts'
import type { Store } from '../store/store.ts'
import type { Logger } from './logger.ts'

export interface PlatformAccessDeps {
  store: Store
  platforms: readonly PlatformDef[]
  fetch: typeof fetch
  logger: Logger
  now(): number
}

/** Finds action definitions and builds the per-community contexts platform code runs with. */
export class PlatformAccess {
  private readonly byName: Map<string, PlatformDef>
  private readonly deps: PlatformAccessDeps
  /** Whether any platform needs a connection: only then is the integrations table read. */
  private readonly anyConnected: boolean
  readonly knownTypes: KnownTypes

  constructor(deps: PlatformAccessDeps) {
    this.deps = deps
    this.byName = new Map(deps.platforms.map((p) => [p.name, p]))
    this.anyConnected = deps.platforms.some((p) => !p.builtIn)
    const actions = deps.platforms.flatMap((p) => Object.keys(p.actions).map((name) => `${p.name}.${name}`))
    const triggers = deps.platforms.flatMap((p) => Object.keys(p.triggers ?? {}).map((name) => `${p.name}.${name}`))
    this.knownTypes = {
      actions: new Set(actions),
      triggers: new Set([...triggers, ...actions.map((type) => `${type}.executed`)]),
    }
  }

  platform(name: string): PlatformDef | undefined {
    return this.byName.get(name)
  }

  /** The definition of `<platform>.<action>`, or an invalid_input error naming what is wrong. */
  actionDef(type: string): { platform: PlatformDef; def: ActionDef; name: string } {
    const dot = type.indexOf('.')
    const platform = dot > 0 ? this.byName.get(type.slice(0, dot)) : undefined
    const name = type.slice(dot + 1)
    const def = platform?.actions[name]
    if (!platform || !def) {
      throw new AppError('invalid_input', `unknown action type '${type}'`)
    }
    return { platform, def, name }
  }

  /** The context for platform code of `platform` in one community; throws when not connected. */
  async context(communityId: number, platform: PlatformDef): Promise<PlatformContext> {
    if (platform.builtIn) {
      return this.makeContext(communityId, platform, null, {})
    }
    const integration = await this.integration(communityId, platform.name)
    if (!integration) {
      throw new AppError('platform_rejected', `${platform.name} is not connected to this community`)
    }
    const credentials = await this.deps.store.integrations.getCredentials(communityId, integration.id)
    return this.makeContext(communityId, platform, integration, credentials)
  }

  /** The context an action's `validate` runs with when `initiatorId` proposes it. */
  async validateContext(
    communityId: number,
    platform: PlatformDef,
    initiatorId: number | null,
  ): Promise<ValidateContext> {
    return { ...(await this.context(communityId, platform)), initiatorId, knownTypes: this.knownTypes }
  }

  /**
   * An action as people see it: its type's `present` (title, subject, diff), or its
   * description as the title. Never throws: what cannot be presented gets the plain title.
   */
  async present(communityId: number, action: Action, want: PresentWant): Promise<ActionPresentation> {
    const platform = this.byName.get(action.platform)
    const def = platform?.actions[action.type.slice(action.platform.length + 1)]
    const plain = { title: def ? sentenceCase(def.description) : action.type }
    if (!platform || !def?.present) {
      return plain
    }
    const params = def.params.safeParse(action.params)
    if (!params.success) {
      return plain
    }
    try {
      return await def.present(await this.context(communityId, platform), params.data, want)
    } catch (e) {
      this.deps.logger.warn({ communityId, actionId: action.id, err: toError(e) }, 'could not present an action')
      return plain
    }
  }

  /**
   * Host functions `<platform>.<fn>` for every platform available to the community: built-in
   * ones and those it has connected. Credentials are decrypted only when a function is called.
   */
  async policyFunctions(
    communityId: number,
    proposal: Proposal,
    action: Action,
    onVotePost: (platform: string, post: { postId: string; url: string | null }) => void,
  ): Promise<Record<string, HostFunction>> {
    const connected = this.anyConnected ? await this.connectedNames(communityId) : new Set<string>()
    const fns: Record<string, HostFunction> = {}
    for (const platform of this.deps.platforms) {
      if (!platform.functions || !(platform.builtIn || connected.has(platform.name))) {
        continue
      }
      for (const [name, fn] of Object.entries(platform.functions)) {
        fns[`${platform.name}.${name}`] = async (...args) => {
          const base = await this.context(communityId, platform)
          const ctx: PolicyCallContext = {
            ...base,
            proposal,
            action,
            members: async (ids) =>
              ids ? this.deps.store.members.getMany(communityId, ids) : this.deps.store.members.list(communityId),
            setVotePost: async (post) => {
              await this.deps.store.proposals.setVotePost(communityId, proposal.id, {
                platform: platform.name,
                ...post,
              })
              onVotePost(platform.name, post)
            },
            setVoters: (memberIds) => this.deps.store.proposals.setEligibleVoters(communityId, proposal.id, memberIds),
            presentAction: () => this.present(communityId, action, { diff: true }),
          }
          return fn(ctx, ...args)
        }
      }
    }
    return fns
  }

  private async integration(communityId: number, name: string): Promise<Integration | undefined> {
    const integrations = await this.deps.store.integrations.list(communityId, { activeOnly: true })
    return integrations.find((i) => i.platform === name)
  }

  private async connectedNames(communityId: number): Promise<Set<string>> {
    const integrations = await this.deps.store.integrations.list(communityId, { activeOnly: true })
    return new Set(integrations.map((i) => i.platform))
  }

  private makeContext(
    communityId: number,
    platform: PlatformDef,
    integration: Integration | null,
    credentials: JsonObject,
  ): PlatformContext {
    const base = { communityId, platform: platform.name }
    const { logger } = this.deps
    const platformLogger: PlatformLogger = {
      debug: (message, details) => logger.debug({ ...base, ...details }, message),
      info: (message, details) => logger.info({ ...base, ...details }, message),
      warn: (message, details) => logger.warn({ ...base, ...details }, message),
      error: (message, details) => logger.error({ ...base, ...details }, message),
    }
    return {
      communityId,
      integration,
      credentials,
      fetch: platform.fetch ? platform.fetch(this.deps.fetch) : this.deps.fetch,
      logger: platformLogger,
      now: () => this.deps.now(),
    }
  }
}

/** A description as a title: its first sentence, first letter upper-case, no full stop. */
function sentenceCase(text: string): string {
  const first = (text.trim().split(/[.;]\s/)[0] ?? '').replace(/\.$/, '')
  return first.charAt(0).toUpperCase() + first.slice(1)
}
