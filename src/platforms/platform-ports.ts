import type { Integration, LogLevel } from '../domain/community.ts'
import type { JsonObject } from '../domain/json.ts'
import type { Account, Member } from '../domain/member.ts'
import type { Proposal, ProposalStatus } from '../domain/proposal.ts'
import type { Vote, VoteValue } from '../domain/vote.ts'

/**
 * The narrow ports a platform is handed instead of the store and the engine. Each is already
 * scoped to the platform (its integrations, its members' accounts, its delivery ledger and echo
 * records), and each call names the community it is about: a platform's webhooks see every
 * community, and find the one they serve from what they authenticated.
 */
export interface PlatformPorts {
  /** The platform's name, for logs. */
  platform: string
  integrations: IntegrationsPort
  members: MembersPort
  deliveries: DeliveryLedger
  echoes: EchoRecords
  cursors: Cursors
  listenerState: ListenerState
  votes: VotesPort
  /** A platform or constitution action, governed by the engine (as `engine.propose`). */
  propose(input: ProposeRequest): Promise<ProposeResult>
  /** An event for trigger policies (`<platform>.<trigger>`). */
  trigger(input: { communityId: number; type: string; data: JsonObject; initiatorId: number | null }): Promise<void>
  /** Lines in a community's log (the dashboard shows them). */
  communityLog(communityId: number, entries: CommunityLogEntry[]): Promise<void>
  /** The operator's log (pino's shape). */
  logger: HostLogger
  now(): number
  /**
   * A 32-byte key for one purpose of this platform (e.g. the secret in a callback URL it hands
   * out), derived from the server key: stable across restarts and processes, never the key itself.
   */
  deriveKey(purpose: string): Buffer
  /** Where PolicyKit is reached (POLICYKIT_PUBLIC_URL), for the callback URLs a platform hands out. */
  publicUrl: string
}

/** The operator's structured log: details first, then the message (pino's order). */
export interface HostLogger {
  debug(details: object, message: string): void
  info(details: object, message: string): void
  warn(details: object, message: string): void
  error(details: object, message: string): void
}

export interface CommunityLogEntry {
  level: LogLevel
  message: string
  details?: JsonObject
  proposalId?: number
  actionId?: number
}

/** This platform's connections, in any community. */
export interface IntegrationsPort {
  /** The connection to the platform's community `externalId` (a Slack team id), in whichever community holds it. */
  findByExternalId(externalId: string): Promise<Integration | undefined>
  get(communityId: number, integrationId: number): Promise<Integration | undefined>
  /** The community's connections to this platform. */
  list(communityId: number, options?: { activeOnly?: boolean }): Promise<Integration[]>
  /** Every community's connections to this platform (what a background listener serves). */
  listAll(options?: { activeOnly?: boolean }): Promise<Integration[]>
  /** Decrypted. */
  credentials(integration: Integration): Promise<JsonObject>
  setCredentials(integration: Integration, credentials: JsonObject): Promise<void>
  setActive(integration: Integration, active: boolean): Promise<void>
  /** Stores a new connection switched off (switching it on is `constitution.addIntegration`, governed). */
  createInactive(
    communityId: number,
    input: { externalId: string; config: JsonObject; credentials: JsonObject },
  ): Promise<Integration>
}

/** A person on the platform, as provisioning makes them a member. */
export interface PlatformUser {
  /** The platform's id for them. */
  externalId: string
  /** Their handle there: the member's username when it is free. */
  name: string
  displayName?: string | undefined
}

/** Members and their accounts on this platform. */
export interface MembersPort {
  get(communityId: number, memberId: number): Promise<Member | undefined>
  /** By id; every member of the community without `ids`. */
  list(communityId: number, ids?: number[]): Promise<Member[]>
  getByUsername(communityId: number, username: string): Promise<Member | undefined>
  /** The member with this account on the platform. */
  findByAccount(communityId: number, externalId: string): Promise<Member | undefined>
  findByAccounts(communityId: number, externalIds: string[]): Promise<Map<string, Member>>
  /** The member's accounts on every platform (a `local` one is their dashboard login). */
  accounts(communityId: number, memberId: number): Promise<Account[]>
  /** Links an account; `conflict` when the account or the member's slot for it is taken. */
  linkAccount(
    communityId: number,
    memberId: number,
    account: { platform: string; externalId: string; username: string },
  ): Promise<void>
  /**
   * A new member with this platform account, in one transaction; `conflict` when the username
   * or the account is taken (the kit's `ensureMember` picks a free username and handles races).
   */
  createWithAccount(
    communityId: number,
    input: { username: string; displayName: string; account: { externalId: string; username: string } },
  ): Promise<Member>
}

/**
 * What a delivery found: `claimed` (handle it), `done` (handled already: do nothing) or `busy`
 * (another delivery is handling it right now: do nothing, it will finish).
 */
export type DeliveryClaim = 'claimed' | 'done' | 'busy'

/** Which webhook deliveries (event ids, clicks) were handled, so that a redelivery runs nothing twice. */
export interface DeliveryLedger {
  claim(communityId: number, deliveryId: string): Promise<DeliveryClaim>
  /** The handling succeeded: later deliveries do nothing. */
  finish(communityId: number, deliveryId: string): Promise<void>
  /** The handling failed: the platform's retry runs it again. */
  release(communityId: number, deliveryId: string): Promise<void>
}

/**
 * Calls PolicyKit makes on the platform whose events must not come back as members' actions:
 * recorded right before the call, each consumed by the one event it expects.
 */
export interface EchoRecords {
  record(communityId: number, key: string): Promise<void>
  /** The call failed: no event is coming. */
  forget(communityId: number, key: string): Promise<void>
  /** True when PolicyKit expected this event (the record is used up). */
  take(communityId: number, key: string): Promise<boolean>
}

/**
 * Where a platform's poller got to, by community and key (e.g. the newest item seen in a
 * listing), kept in the database so that a restart or another process resumes from there.
 */
export interface Cursors {
  get(communityId: number, key: string): Promise<string | null>
  set(communityId: number, key: string, value: string): Promise<void>
}

/**
 * What one of the platform's `once` listeners hands over to the process that takes its lease
 * (e.g. a gateway session to resume), by listener name; null: nothing (cleared).
 */
export interface ListenerState {
  get(listener: string): Promise<string | null>
  set(listener: string, value: string | null): Promise<void>
}

/** Votes and the proposals whose votes this platform hosts. */
export interface VotesPort {
  /** The proposal whose vote this platform posted as `postId`. */
  proposalOfPost(communityId: number, postId: string): Promise<Proposal | undefined>
  proposal(communityId: number, proposalId: number): Promise<Proposal | undefined>
  /** In every community: pending proposals whose vote this platform hosts, after `afterId`, by id (a page). */
  pendingHosted(afterId: number, limit: number): Promise<Proposal[]>
  list(communityId: number, proposalId: number): Promise<Vote[]>
  /**
   * Casts (or moves) a member's vote through the engine, which checks who may vote and re-checks
   * the proposal: `forbidden` when they may not, `conflict` when the vote has closed.
   */
  cast(communityId: number, proposalId: number, memberId: number, vote: VoteValue): Promise<void>
  /**
   * Takes back a member's vote through the engine (re-checking the proposal), only when it is
   * still `vote` (given): false when there was no such vote or the proposal is decided.
   */
  withdraw(communityId: number, proposalId: number, memberId: number, vote?: VoteValue): Promise<boolean>
  /**
   * Re-checks a pending proposal at once, through the engine (e.g. when the vote's host says its
   * outcome changed); nothing happens to a decided one.
   */
  recheck(communityId: number, proposalId: number): Promise<void>
}

export interface ProposeRequest {
  communityId: number
  type: string
  params: JsonObject
  initiatorId: number | null
  origin: 'platform' | 'policykit'
  /** The platform's id for the event, so a redelivered webhook makes no second action. */
  externalId?: string | null
  /** What `revert` needs of an action that already happened. */
  result?: JsonObject | null
}

/** Where proposing left the action (the engine's outcome, as much as a platform needs). */
export type ProposeResult =
  | { status: 'executed' | 'ungoverned' }
  | { status: 'forbidden'; reason: string }
  | { status: 'duplicate'; proposal: Proposal | undefined }
  | { status: ProposalStatus; proposal: Proposal }
