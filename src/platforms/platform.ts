import type { z } from 'zod'
import type { Action } from '../domain/action.ts'
import type { Integration } from '../domain/community.ts'
import type { JsonObject, JsonValue } from '../domain/json.ts'
import type { Member } from '../domain/member.ts'
import type { Proposal } from '../domain/proposal.ts'
import type { PlatformHttp } from './platform-http.ts'

/** Structured logging for platform code, with the community already attached. */
export interface PlatformLogger {
  debug(message: string, details?: JsonObject): void
  info(message: string, details?: JsonObject): void
  warn(message: string, details?: JsonObject): void
  error(message: string, details?: JsonObject): void
}

/** What a platform's code is handed for one community: never another community's data. */
export interface PlatformContext {
  communityId: number
  /** The community's connection to this platform; null for built-in platforms. */
  integration: Integration | null
  /** Decrypted credentials of that connection ({} for built-in platforms). */
  credentials: JsonObject
  fetch: typeof fetch
  logger: PlatformLogger
  now(): number
}

/** The action and trigger types the engine knows, across every platform it runs with. */
export interface KnownTypes {
  /** Governable action types, `<platform>.<action>`. */
  actions: ReadonlySet<string>
  /** Types trigger policies may react to: each platform's triggers and `<action type>.executed`. */
  triggers: ReadonlySet<string>
}

/** What `validate` is handed: the community's context, who proposes, and what types exist. */
export interface ValidateContext extends PlatformContext {
  initiatorId: number | null
  knownTypes: KnownTypes
}

/**
 * One governable action type. `execute` performs it and returns what `revert` needs; without
 * `revert` the action cannot be undone, without `execute` PolicyKit cannot perform it (it can
 * only be observed and reverted).
 */
export interface ActionDef<P extends JsonObject = JsonObject> {
  description: string
  params: z.ZodType<P>
  /**
   * Checks what the params schema cannot (that a referenced row exists in this community, a
   * name is free…) when the action is proposed, before anything is saved. Throws an AppError
   * (`invalid_input`, `not_found` or `conflict`) with a message for the proposer.
   */
  validate?(ctx: ValidateContext, params: P): Promise<void>
  execute?(ctx: PlatformContext, params: P, action: Action): Promise<JsonObject | void>
  revert?(ctx: PlatformContext, params: P, result: JsonObject | null, action: Action): Promise<void>
  /**
   * The keys of what `execute` returns that name what it made (`documentId`, a new policy's
   * `versionId`…): the API hands them to whoever proposed it, so a script can go on from there.
   */
  creates?: readonly string[]
}

/** An event that trigger policies react to; `data` is what `action` shows them. */
export interface TriggerDef {
  description: string
  data: z.ZodType<JsonObject>
}

/** A vote the platform posted: where it is, so votes cast there can be matched back. */
export interface VotePost {
  postId: string
  url: string | null
  /** The question put to the vote, for showing it in the dashboard. */
  text?: string
  /** The choices; null or absent: a yes/no vote. */
  options?: string[] | null
}

/** What a function that policy code calls is handed besides its arguments. */
export interface PolicyCallContext extends PlatformContext {
  proposal: Proposal
  action: Action
  /** Members of the community by id, for functions that take or return members. */
  members(ids?: number[]): Promise<Member[]>
  /** Records that this proposal's vote is hosted by this platform at `post`. */
  setVotePost(post: VotePost): Promise<void>
  /** Who may vote on this proposal (member ids); null: every member of the community. */
  setVoters(memberIds: number[] | null): Promise<void>
}

export type PolicyFunction = (ctx: PolicyCallContext, ...args: JsonValue[]) => Promise<JsonValue | undefined>

export interface PlatformDef {
  /** Lower-case, unique: the prefix of its action types (`slack.postMessage`). */
  name: string
  /** Built-in platforms (constitution, test) need no connection. */
  builtIn?: boolean
  /** `constitution` for the platform whose actions change PolicyKit itself. */
  kind?: 'platform' | 'constitution'
  actions: Record<string, ActionDef>
  triggers?: Record<string, TriggerDef>
  /**
   * Functions policy code may call as `<name>.<function>(…)`. A platform that can host votes
   * has an `initiateVote` here that calls `ctx.setVotePost`.
   */
  functions?: Record<string, PolicyFunction>
  /** Its HTTP routes (webhooks, OAuth, sign-in), mounted under `/platforms/<name>`. */
  http?: PlatformHttp[]
  /**
   * Asks the platform whether a connection's stored credentials still work (the app may have
   * been uninstalled there). Throws an AppError (`conflict`) saying what to do when they do not;
   * `constitution.addIntegration` calls it before switching a connection on.
   */
  checkConnection?(credentials: JsonObject, integration: Integration): Promise<void>
  /**
   * Called once a proposal whose vote this platform hosts (`proposal.votePlatform`) is decided,
   * however it was decided (a vote, a timer, the sweep), so the platform can close the vote where
   * members see it (e.g. rewrite the vote message without its buttons). Best effort: a failure is
   * logged and changes nothing about the decision.
   */
  onVoteClosed?(ctx: PlatformContext, proposal: Proposal): Promise<void>
}

export function defineAction<P extends JsonObject>(def: ActionDef<P>): ActionDef {
  // Each action parses its own params before execute/revert see them, so the erased type is safe.
  return def
}

export function definePlatform(def: PlatformDef): PlatformDef {
  for (const name of Object.keys(def.actions)) {
    if (!/^[a-z][A-Za-z0-9]*$/.test(name)) {
      throw new Error(`action name ${def.name}.${name} must be camelCase`)
    }
  }
  return def
}
