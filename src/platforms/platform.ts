import type { z } from 'zod'
import type { ConnectForm } from '../domain/connect-form.ts'
import type { Action } from '../domain/action.ts'
import type { Integration } from '../domain/community.ts'
import type { JsonObject, JsonValue } from '../domain/json.ts'
import type { Member } from '../domain/member.ts'
import type { Proposal } from '../domain/proposal.ts'
import type { PlatformHttp } from './platform-http.ts'
import type { PlatformPorts } from './platform-ports.ts'

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

/** What `execute` and `revert` are handed: the context, and which attempt this is. */
export interface ExecutionContext extends PlatformContext {
  /**
   * One key per action and operation (`<platform>:<action id>:<execute|revert>`), recorded
   * before the call. A platform that can make a call idempotent passes it along (a request id,
   * message metadata) so that a retry is recognised.
   */
  idempotencyKey: string
  /**
   * True when an earlier attempt with this key was interrupted (its process died during the
   * call): the platform may have done it already, so look before doing it again where you can.
   */
  retry: boolean
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
  execute?(ctx: ExecutionContext, params: P, action: Action): Promise<JsonObject | void>
  /**
   * What `execute` returns (and so what `revert` is handed): checked after every execute, so a
   * result `revert` could not use is an error when it happens, not when the action is undone.
   */
  result?: z.ZodType<JsonObject>
  revert?(ctx: ExecutionContext, params: P, result: JsonObject | null, action: Action): Promise<void>
  /**
   * Its title for people and, for a change, what it changes (absent: the title is `description`).
   * Reads only; a failure shows the plain title. `want.diff` false: no diff is shown (a list of
   * proposals), so none need be made.
   */
  present?(ctx: PlatformContext, params: P, want: PresentWant): Promise<ActionPresentation>
  /**
   * The keys of what `execute` returns that name what it made (`documentId`, a new policy's
   * `versionId`…): the API hands them to whoever proposed it, so a script can go on from there.
   */
  creates?: readonly string[]
}

/** How people see one proposed action: on its proposal's page, in lists, in vote messages. */
/** What of an action's presentation is shown where it is asked for. */
export interface PresentWant {
  diff: boolean
}

export interface ActionPresentation {
  /** A human title, e.g. `Add policy ‘Documents need two yeses’`. */
  title: string
  /** What it is about, to link to: its name, and its dashboard page under the community (`policies/3`). */
  subject?: { name: string; path: string }
  /** What it would change, against what is in force now: a unified diff (hunks only). */
  diff?: string
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
  /** The governed action as people see it (title, subject, diff), for a vote message. */
  presentAction(): Promise<ActionPresentation>
}

export type PolicyFunction = (ctx: PolicyCallContext, ...args: JsonValue[]) => Promise<JsonValue | undefined>

/**
 * What policy authors are told about a platform's `<name>` object: the editor's completion and
 * the reference in `docs/` are made from it (a function without a line here is listed bare).
 */
export interface PolicyDocs {
  /** One line about the object, e.g. `The connected Slack workspace.` */
  summary: string
  /** By function name: how it is called and what it does. */
  functions: Record<string, { signature: string; doc: string }>
}

/** A webhook request as it arrived: the exact bytes (signatures cover them) and the headers. */
export interface WebhookRequest {
  headers: Record<string, string | string[] | undefined>
  body: string
  /**
   * The path's parameters (a webhook `path` may name some, e.g. `/events/:secret`), for a
   * platform that signs nothing and authenticates its callers by a secret in the URL it was given.
   */
  params?: Record<string, string>
}

/** What a verified delivery asks for: an answer now, and handling (awaited while there is time). */
export interface WebhookReceipt {
  /** The JSON body of the 200 answer (e.g. Slack's url_verification challenge); empty without. */
  answer?: JsonObject
  /**
   * The delivery's work: parsed into observed actions, trigger events, votes or lifecycle events
   * and handed to the ports. Awaited up to the platform's deadline (its failure answers 500 so
   * the platform retries); past that, the answer goes and the work finishes alone.
   */
  handle?: () => Promise<void>
  /**
   * Work the answer promised to finish later (Discord's deferred response, then its follow-up):
   * started once the answer has been sent, never awaited by it; its failure is logged.
   */
  afterAnswer?: () => Promise<void>
  /** For the log when late work fails. */
  context?: JsonObject
}

/** One webhook endpoint, `POST /platforms/<name><path>`. */
export interface WebhookDef {
  path: string
  /** Content types whose bodies are kept as text for the signature. */
  contentTypes: string[]
  /** The platform's deadline for an answer before it retries. */
  answerWithinMs: number
  /** Whether the request is signed by the platform and fresh (kit: `verifyHmacRequest`, `verifyEd25519`). */
  verify(request: WebhookRequest, now: number): boolean
  /** Parses a verified request; throws `invalid_input` for a body it does not understand. */
  receive(request: WebhookRequest): Promise<WebhookReceipt>
}

/**
 * How a community connects the platform: OAuth (its browser routes run the round trip with the
 * kit's signed state) or an API key the community enters. Either way the platform may check
 * stored credentials; an uninstall on the platform's side arrives as a lifecycle webhook, which
 * switches the connection off (the kit's `noteLostAccess`).
 */
export type ConnectDef = (
  | {
      kind: 'oauth'
      /** The scopes asked for (by token kind, e.g. `{ bot: […], user: […] }`). */
      scopes: Record<string, readonly string[]>
      authorizeUrl: string
      tokenUrl: string
    }
  | {
      kind: 'apiKey'
      /** What the community enters (stored encrypted). */
      credentials: z.ZodType<JsonObject>
    }
) & {
  /**
   * Asks the platform whether a connection's stored credentials still work (the app may have
   * been uninstalled there). Throws an AppError (`conflict`) saying what to do when they do not;
   * `constitution.addIntegration` calls it before switching a connection on.
   */
  check?: (credentials: JsonObject, integration: Integration) => Promise<void>
}

/** A platform that hosts votes where members are: the policy function that opens one, and keeping it current. */
export interface VoteHosting {
  /** The policy function that posts a vote (it calls `ctx.setVotePost`), e.g. `initiateVote`. */
  open: string
  /** Shows the current tally on the vote's post (after a vote that did not decide it). */
  refresh(ctx: PlatformContext, proposal: Proposal): Promise<void>
  /**
   * Called once a proposal whose vote this platform hosts (`proposal.votePlatform`) is decided,
   * however it was decided (a vote, a timer, the sweep), so the platform can close the vote where
   * members see it (e.g. rewrite the vote message without its buttons). Best effort: a failure is
   * logged and changes nothing about the decision.
   */
  close(ctx: PlatformContext, proposal: Proposal): Promise<void>
}

/**
 * Work a platform keeps running in the background while PolicyKit runs: a gateway connection,
 * a poller. The host starts each one when the app starts and stops it when the app stops.
 */
export interface ListenerDef {
  /** Unique within the platform, e.g. `gateway`, `poller`. */
  name: string
  /**
   * `once`: one PolicyKit process at a time runs it, across every process on the database (a
   * lease named `<platform>:<name>` decides which; when its process dies another takes over
   * within two lease periods, `POLICYKIT_LISTENER_LEASE_SECONDS`). `each`: every process runs it.
   */
  scope: 'once' | 'each'
  /**
   * Runs until `signal` aborts (the lease was lost, or the app is stopping), then resolves
   * promptly. A throw, or returning before the abort, is logged and it is started again after a
   * backoff (1 s doubling to 30 s).
   */
  run(signal: AbortSignal): Promise<void>
}

/** Where the dashboard sends people for this platform (null: it has no such route). */
export interface PlatformLinks {
  /** Shown to people, e.g. `Slack`. */
  title: string
  /** Connects a community: `?community=<id>` is appended. */
  installPath: string | null
  /** Connects a community with a form on the settings page instead (an API key rather than OAuth). */
  connectForm?: ConnectForm
  signInPath: string | null
  /** Founds the first community from the platform (set-up page; absent: it cannot). */
  setup?: PlatformSetupLink
}

/**
 * Founding the first community from a platform, as the set-up page offers it: "<how> instead: the
 * community is named after the <place>, its people become members, and you sign in with <title>.
 * Only <who> can do this."
 */
export interface PlatformSetupLink {
  /** The route that starts it: `?setup=<token>&kit=<name>` is appended. */
  path: string
  /** What the community is founded from, e.g. `Slack workspace`. */
  place: string
  /** Who may found it, e.g. `an admin or owner of the workspace`. */
  who: string
  /** What the founder does, as an imperative, e.g. `Install PolicyKit in your Slack workspace`. */
  how: string
}

export interface PlatformDef {
  /** Lower-case, unique: the prefix of its action types (`slack.postMessage`). */
  name: string
  /** Built-in platforms (constitution, test) need no connection. */
  builtIn?: boolean
  /**
   * `constitution` for the platform whose actions change PolicyKit itself: only its own database,
   * so the engine runs each execute in one transaction with the action's state change.
   */
  kind?: 'platform' | 'constitution'
  actions: Record<string, ActionDef>
  triggers?: Record<string, TriggerDef>
  /** Functions policy code may call as `<name>.<function>(…)`. */
  functions?: Record<string, PolicyFunction>
  /** What the editor and the policy reference say about `functions`. */
  policyDocs?: PolicyDocs
  /** How a community connects it (absent: built in). */
  connect?: ConnectDef
  /** Its signed webhooks, mounted under `/platforms/<name>`. */
  webhooks?: WebhookDef[]
  /** Votes it hosts on the platform. */
  voting?: VoteHosting
  /** Its browser routes (OAuth install, sign-in, set-up), mounted under `/platforms/<name>`. */
  http?: PlatformHttp[]
  /** The dashboard's buttons for it. */
  links?: PlatformLinks
  /** Its background work (gateway connections, pollers). */
  listeners?: ListenerDef[]
  /**
   * The fetch its calls go through (`PlatformContext.fetch`), made from the server's: a platform
   * whose addresses communities enter (a forum's) keeps them to the public internet.
   */
  fetch?: (base: typeof fetch) => typeof fetch
}

/** A `policykit <platform> <command>` the platform offers (e.g. `slack manifest`). */
export interface PlatformCommand {
  description: string
  /** Prints what the command makes; returns the exit code. */
  run(
    args: string[],
    io: {
      publicUrl: string
      /** A key derived from the server key, as the platform's ports derive it (`PlatformPorts.deriveKey`). */
      deriveKey?: (purpose: string) => Buffer
      out(text: string): void
      err(text: string): void
    },
  ): number | Promise<number>
}

/**
 * A registry entry: what PolicyKit knows of a platform before it runs. `settings` reads the
 * platform's own variables from the environment (config.ts is the only caller): null when they
 * are absent, which leaves the platform off; it throws naming the variable when one is wrong.
 */
export interface PlatformModule<S = unknown> {
  name: string
  /** Its settings from the environment, null when absent; issues name the variable. */
  settings: z.ZodType<S | null, Record<string, string | undefined>>
  /**
   * Imports the platform's code (its manifest, and with it its SDKs) and returns what builds it.
   * Called only for a platform whose settings are given (or by `npm run docs`, for all), so a
   * server without Discord never loads Discord's libraries: keep this entry's own imports to its
   * settings and names, and let commands import what they print when they run.
   */
  load(): Promise<PlatformFactory<S>>
  commands?: Record<string, PlatformCommand>
}

/** What a platform's `load` returns. */
export interface PlatformFactory<S> {
  /**
   * The platform for a run, with its settings and the ports it is handed. It only builds the
   * definition (settings and ports are used later, by what it defines): `npm run docs` builds
   * every registered platform with empty settings to list what policies see of it.
   */
  create(settings: S, ports: PlatformPorts): PlatformDef
}

export function definePlatformModule<S>(module: PlatformModule<S>): PlatformModule<S> {
  return module
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
