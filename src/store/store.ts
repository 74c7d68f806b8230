import type { Kysely } from 'kysely'
import type { Action, ActionKind, ActionOrigin, ExecutionState } from '../domain/action.ts'
import type { Community, Document, EvaluationLog, Integration, LogLevel } from '../domain/community.ts'
import type { JsonObject } from '../domain/json.ts'
import type { Account, Member, Permission, Role } from '../domain/member.ts'
import type { Policy, PolicyBlocks, PolicyVariable, PolicyVersion } from '../domain/policy.ts'
import type { Proposal, ProposalStatus } from '../domain/proposal.ts'
import type { ApiToken, Invite, Session, User } from '../domain/user.ts'
import type { Vote, VoteValue } from '../domain/vote.ts'
import type { Database } from './database.ts'
import type { JobRepo } from './jobs.ts'
import type { ProposalLocks } from './proposal-locks.ts'

export type Dialect = 'sqlite' | 'postgres'

/**
 * The store: one repository per noun. Every method that reads or writes a community's data
 * takes its `communityId` first and never touches another community's rows; the few system-wide
 * queries (the sweep, webhook routing) say so in their names.
 */
export interface Store {
  readonly dialect: Dialect
  /** For repositories, migrations and tests; the rest of the app uses the repositories. */
  readonly db: Kysely<Database>
  /** Runs `fn` with repositories bound to one transaction; nothing is kept if it throws. */
  transaction<T>(fn: (store: Store) => Promise<T>): Promise<T>
  /**
   * This store, except that inside a `transaction` callback (and whatever it awaits) its queries
   * join that transaction. For code handed a store at start-up whose writes must commit with the
   * caller's (a constitution action's effect with the action's `executed`, see the engine).
   */
  joining(): Store
  readonly communities: CommunityRepo
  readonly integrations: IntegrationRepo
  readonly members: MemberRepo
  readonly roles: RoleRepo
  readonly documents: DocumentRepo
  readonly policies: PolicyRepo
  readonly actions: ActionRepo
  readonly proposals: ProposalRepo
  readonly votes: VoteRepo
  readonly logs: LogRepo
  readonly jobs: JobRepo
  readonly users: UserRepo
  readonly sessions: SessionRepo
  readonly apiTokens: ApiTokenRepo
  readonly invites: InviteRepo
  readonly attempts: AttemptRepo
  readonly listenerLeases: ListenerLeaseRepo
  /** Who re-checks each pending proposal, across processes (one store's, shared by its transactions). */
  readonly proposalLocks: ProposalLocks
  close(): Promise<void>
}

export interface CommunityRepo {
  create(input: { name: string; settings?: JsonObject; now: number }): Promise<Community>
  get(communityId: number): Promise<Community | undefined>
  /** System-wide: every community, for the operator and the CLI. */
  listAll(): Promise<Community[]>
  update(communityId: number, patch: { name?: string; settings?: JsonObject }): Promise<Community>
  /**
   * Inside a transaction: holds the community's row until the transaction ends, so a check that
   * reads many rows (the constitution's lock-out guard) and the change it allows are not
   * interleaved with another such change. Throws not_found for an unknown community.
   */
  lock(communityId: number): Promise<void>
  /**
   * Inside a transaction: holds the names of the community's roles, documents and policies until
   * the transaction ends, so that a check that a name is free and the change that takes it are
   * not interleaved with another such pair (`withNameHeld`). On PostgreSQL a lock of the
   * transaction's (nothing is written); on SQLite the write lock.
   */
  holdNames(communityId: number): Promise<void>
  /**
   * A number that changes whenever the community's members, member roles, roles or policies
   * change (the database bumps it); undefined for an unknown community.
   */
  cacheVersion(communityId: number): Promise<number | undefined>
}

export interface IntegrationInput {
  platform: string
  externalId: string
  config: JsonObject
  /** Encrypted before it is written; never returned by `get`/`list`. */
  credentials: JsonObject
  now: number
}

export interface IntegrationRepo {
  create(communityId: number, input: IntegrationInput): Promise<Integration>
  get(communityId: number, integrationId: number): Promise<Integration | undefined>
  list(communityId: number, options?: { activeOnly?: boolean }): Promise<Integration[]>
  /** Decrypts with the server key; only platform clients call this. */
  getCredentials(communityId: number, integrationId: number): Promise<JsonObject>
  setCredentials(communityId: number, integrationId: number, credentials: JsonObject): Promise<void>
  setActive(communityId: number, integrationId: number, active: boolean): Promise<void>
  /** System-wide: which community a webhook for (platform, external id) belongs to. */
  findByExternalId(platform: string, externalId: string): Promise<Integration | undefined>
  /** System-wide: every community's connections to `platform` (a poller serves them all). */
  listByPlatform(platform: string, options?: { activeOnly?: boolean }): Promise<Integration[]>
}

export interface MemberRepo {
  create(communityId: number, input: { username: string; displayName?: string; now: number }): Promise<Member>
  get(communityId: number, memberId: number): Promise<Member | undefined>
  getMany(communityId: number, memberIds: number[]): Promise<Member[]>
  getByUsername(communityId: number, username: string): Promise<Member | undefined>
  list(communityId: number): Promise<Member[]>
  /**
   * The member leaves the community (or is removed): their roles, accounts (so no sign-in or
   * platform identity reaches them), API tokens there and unused claim links go; the row stays,
   * marked left, so the votes they cast and the actions they proposed still name them. A member
   * who left is not listed, found by username or given roles; `get` still finds them by id.
   * False when they had left already or are not of this community.
   */
  remove(communityId: number, memberId: number, now: number): Promise<boolean>
  /** The name shown for the member in this community; undefined when there is no such member. */
  setDisplayName(communityId: number, memberId: number, displayName: string): Promise<Member | undefined>
  linkAccount(
    communityId: number,
    memberId: number,
    account: { platform: string; externalId: string; username: string },
  ): Promise<Account>
  accounts(communityId: number, memberId: number): Promise<Account[]>
  /** The accounts of several members at once, by member id (members without one are left out). */
  accountsOf(communityId: number, memberIds: number[]): Promise<Map<number, Account[]>>
  findByAccount(communityId: number, platform: string, externalId: string): Promise<Member | undefined>
  /** The members linked to these accounts on `platform`, by external id (unknown ids are left out). */
  findByAccounts(communityId: number, platform: string, externalIds: string[]): Promise<Map<string, Member>>
}

export interface RoleInput {
  name: string
  description?: string
  permissions: Permission[]
  isDefault?: boolean
}

export interface RoleRepo {
  /** A second default role is refused (`conflict`); so is a name already used in the community. */
  create(communityId: number, input: RoleInput): Promise<Role>
  update(communityId: number, roleId: number, patch: Partial<RoleInput>): Promise<Role>
  remove(communityId: number, roleId: number): Promise<void>
  get(communityId: number, roleId: number): Promise<Role | undefined>
  getByName(communityId: number, name: string): Promise<Role | undefined>
  list(communityId: number): Promise<Role[]>
  assign(communityId: number, memberId: number, roleId: number): Promise<void>
  unassign(communityId: number, memberId: number, roleId: number): Promise<void>
  /** The member's roles; the community's default role when the member has none. */
  effectiveRoles(communityId: number, memberId: number): Promise<Role[]>
  /** Members holding the role (for the default role: also members with no role at all). */
  members(communityId: number, roleId: number): Promise<Member[]>
  /** Every role given to a member in the community (not the default role a member without one gets). */
  assignments(communityId: number): Promise<{ memberId: number; roleId: number }[]>
}

export interface DocumentRepo {
  create(communityId: number, input: { name: string; text: string; now: number }): Promise<Document>
  update(
    communityId: number,
    documentId: number,
    patch: { name?: string; text?: string; now: number },
  ): Promise<Document>
  setActive(communityId: number, documentId: number, active: boolean, now: number): Promise<void>
  get(communityId: number, documentId: number): Promise<Document | undefined>
  list(communityId: number, options?: { activeOnly?: boolean }): Promise<Document[]>
  /**
   * The active documents named `name` as people tell names apart (`nameKey`), their ids and
   * names only: for the check that names differ.
   */
  activeNamed(communityId: number, name: string): Promise<Named[]>
}

/** A row's id and name, for the checks that two names differ (`refuseSameName`). */
export interface Named {
  id: number
  name: string
}

export interface PolicyInput {
  name: string
  description: string
  kind: ActionKind
  actionTypes: string[]
  priority: number
  variables: PolicyVariable[]
  blocks: PolicyBlocks
}

export interface PolicyRepo {
  /** Creates the policy and its version 1. */
  create(communityId: number, input: PolicyInput, now: number): Promise<Policy>
  /** Writes a new version with the patch applied; earlier versions stay as they were. */
  update(communityId: number, policyId: number, patch: Partial<PolicyInput>, now: number): Promise<Policy>
  setActive(communityId: number, policyId: number, active: boolean, now: number): Promise<Policy>
  get(communityId: number, policyId: number): Promise<Policy | undefined>
  list(communityId: number, options?: { kind?: ActionKind; activeOnly?: boolean }): Promise<Policy[]>
  /**
   * The active policies named `name` as people tell names apart (`nameKey`), their ids and names
   * only: for the check that names differ.
   */
  activeNamed(communityId: number, name: string): Promise<Named[]>
  /**
   * Active policies of a kind that could govern `actionType` (those listing it, and base
   * policies listing none), in evaluation order: priority descending, then most recently
   * changed, then id descending.
   */
  candidates(communityId: number, kind: ActionKind, actionType: string): Promise<Policy[]>
  getVersion(communityId: number, versionId: number): Promise<PolicyVersion | undefined>
  versions(communityId: number, policyId: number): Promise<PolicyVersion[]>
}

export interface ActionInput {
  kind: ActionKind
  type: string
  origin: ActionOrigin
  initiatorId: number | null
  params: JsonObject
  externalId?: string | null
  /** For an action that already happened: what `revert` will need (e.g. the message's id). */
  result?: JsonObject | null
  now: number
}

/** The states held while a platform call runs (see `ExecutionState`). */
export type ClaimedState = Extract<ExecutionState, 'executing' | 'reverting'>
export type SettledState = Exclude<ExecutionState, ClaimedState>

export interface ActionRepo {
  /** Idempotent on (platform, externalId): a repeated delivery returns the first action. */
  create(communityId: number, input: ActionInput): Promise<{ action: Action; created: boolean }>
  get(communityId: number, actionId: number): Promise<Action | undefined>
  /**
   * Compare-and-set into `executing` or `reverting` before the platform is called, noting when
   * (`now`), so a claim that a crash left behind can be found (`overdueClaims`). True when this
   * call made the transition.
   */
  claimExecution(
    communityId: number,
    actionId: number,
    from: ExecutionState[],
    to: ClaimedState,
    now: number,
  ): Promise<boolean>
  /**
   * `claimExecution` for the engine: also records who holds the claim (`owner`, whose heartbeat
   * renews it) and the operation's idempotency key. Returns how many times this key was claimed
   * (more than 1: a retry of an attempt that may have reached the platform), or undefined when
   * the action was not in a `from` state.
   */
  claim(
    communityId: number,
    actionId: number,
    claim: { from: ExecutionState[]; to: ClaimedState; now: number; owner: string; key: string },
  ): Promise<{ tries: number } | undefined>
  /** The heartbeat: every claim `owner` holds is renewed to `now`. */
  renewClaims(owner: string, now: number): Promise<void>
  /** Compare-and-set to a state that is not a claim (the claim's time is cleared); true when this call made it. */
  transitionExecution(
    communityId: number,
    actionId: number,
    from: ExecutionState[],
    to: SettledState,
    result?: JsonObject | null,
  ): Promise<boolean>
  /** System-wide, for the sweep: actions claimed before `claimedBefore` and still claimed, oldest first. */
  overdueClaims(
    claimedBefore: number,
    limit: number,
  ): Promise<{ id: number; communityId: number; executionState: ClaimedState }[]>
  /**
   * Moves an action out of the claim `from` to `to` only when it was claimed before
   * `claimedBefore` (a fresh claim is someone at work); true when this call moved it.
   */
  releaseOverdueClaim(
    communityId: number,
    actionId: number,
    from: ClaimedState,
    to: SettledState,
    claimedBefore: number,
  ): Promise<boolean>
  list(communityId: number, options?: { limit?: number; beforeId?: number }): Promise<Action[]>
}

export interface DecisionCount {
  day: string
  passed: number
  failed: number
}

/** A proposal about to be made, under a policy's version. */
export interface NewProposal {
  policyId: number
  policyVersionId: number
  now: number
  /**
   * The new proposal is born leased to its first evaluation, so nothing (a vote, the sweep) can
   * evaluate it before that evaluation starts; see `readForRecheck`.
   */
  lease?: { token: string; owner: string; until: number }
}

/** The ids a new action and its proposal will get, and the proposal's number in its community. */
export interface NewIds {
  actionId: number
  proposalId: number
  number: number
}

export interface ProposalRepo {
  create(communityId: number, input: NewProposal & { actionId: number }): Promise<Proposal>
  /**
   * The action (as `ActionRepo.create` makes it) and its proposal together: one commit. When the
   * action was delivered before, that action and no proposal; no proposal either when the policy
   * version is not the community's (any more).
   */
  createWithAction(
    communityId: number,
    action: ActionInput,
    proposal: NewProposal,
  ): Promise<{ action: Action; created: boolean; proposal: Proposal | undefined }>
  /**
   * The ids the community's next action and proposal will get, and that proposal's number, as
   * things stand now, for a first evaluation run before they are written (`createEvaluated`).
   * On PostgreSQL the ids are taken for it (one never used leaves a gap).
   */
  nextIds(communityId: number): Promise<NewIds>
  /**
   * The action and its proposal after its first evaluation ran on `expected` (`nextIds`): both,
   * the proposal pending, notified, unleased and with the evaluation's data, and its log lines,
   * in one commit. Nothing is written, and undefined returned, when the rows would not get those
   * ids (someone made an action or proposal meanwhile) or the policy version is not the
   * community's any more. When the action was delivered before, that action and no proposal.
   */
  createEvaluated(
    communityId: number,
    action: ActionInput,
    proposal: NewProposal & { expected: NewIds; writes: Pick<StepWrites, 'data' | 'logs'> },
  ): Promise<{ action: Action; created: boolean; proposal: Proposal | undefined } | undefined>
  get(communityId: number, proposalId: number): Promise<Proposal | undefined>
  list(
    communityId: number,
    options?: { status?: ProposalStatus; actionId?: number; limit?: number; beforeId?: number },
  ): Promise<Proposal[]>
  /** Passed and failed proposals, the most recently decided first. */
  recentlyDecided(communityId: number, limit: number): Promise<Proposal[]>
  /**
   * How many proposals passed and failed on each UTC day (`YYYY-MM-DD`) from `sinceMs` on,
   * oldest day first; days without a decision are left out.
   */
  decisionCountsByDay(communityId: number, sinceMs: number): Promise<DecisionCount[]>
  /** System-wide, for the metrics gauge: how many proposals there are in each status. */
  countByStatus(): Promise<Record<string, number>>
  /** System-wide, for the sweep: pending proposals after `afterId`, by id. */
  pendingPage(afterId: number, limit: number): Promise<{ id: number; communityId: number }[]>
  /**
   * System-wide, for a platform that reads its votes (Discourse's polls): pending proposals whose
   * vote `platform` hosts, after `afterId`, by id.
   */
  pendingHostedPage(platform: string, afterId: number, limit: number): Promise<Proposal[]>
  /** Compare-and-set from `proposed`; true when this call decided it. */
  decide(
    communityId: number,
    proposalId: number,
    status: 'passed' | 'failed' | 'errored',
    now: number,
  ): Promise<boolean>
  /** Compare-and-set notified 0 → 1. */
  markNotified(communityId: number, proposalId: number): Promise<boolean>
  /** Undoes `markNotified` for a first evaluation put off (a platform was unavailable): it runs again whole. */
  clearNotified(communityId: number, proposalId: number): Promise<void>
  /** Compare-and-set outcome_ran 0 → 1: the pass or fail block runs once. */
  markOutcomeRan(communityId: number, proposalId: number): Promise<boolean>
  /**
   * `markOutcomeRan` for a decided proposal, giving the proposal as it is now when this call set
   * the flag (in one statement); undefined when it was set before, or the proposal is pending.
   */
  claimOutcome(communityId: number, proposalId: number): Promise<Proposal | undefined>
  /**
   * A pending proposal as a re-check finds it, with the lease of a first evaluation (the only
   * evaluation that holds one: the proposal is born with it) and how many re-checks were
   * requested; undefined when there is no such proposal.
   */
  readForRecheck(communityId: number, proposalId: number): Promise<RecheckState | undefined>
  /**
   * Asks the holder of the proposal's unexpired lease to re-check before letting go; false when
   * no one holds one (any more).
   */
  askLeaseHolder(communityId: number, proposalId: number, now: number): Promise<boolean>
  /** Takes an expired lease away from its holder (it died); false when `token` holds it no more. */
  breakLease(communityId: number, proposalId: number, token: string): Promise<boolean>
  /** Whether re-checks were requested and not yet answered (see `StepWrites.answered`). */
  recheckRequested(communityId: number, proposalId: number): Promise<boolean>
  /** The heartbeat: every lease `owner` holds now lasts until `until`. */
  renewLeases(owner: string, until: number): Promise<void>
  /**
   * Notes that the pending proposal must be evaluated again (a vote was cast), in the vote's
   * transaction, so that a crash before the re-check leaves it for the takeover to find. Counted:
   * a re-check answers the requests it saw, and one made meanwhile stays.
   */
  requestRecheck(communityId: number, proposalId: number): Promise<void>
  /**
   * System-wide, for the takeover: pending proposals whose lease ran out (its holder died) or
   * that wait for a requested re-check nobody holds, by id.
   */
  takeoverPage(now: number, limit: number): Promise<{ id: number; communityId: number }[]>
  /**
   * Lets go of the lease; returns true (and keeps the lease, clearing the request) when a
   * re-check was requested meanwhile, so the caller evaluates once more.
   */
  releaseLease(communityId: number, proposalId: number, token: string): Promise<{ recheck: boolean }>
  /** `releaseLease` that also reads the proposal as it is then (undefined when `token` held nothing). */
  releaseLeaseReading(
    communityId: number,
    proposalId: number,
    token: string,
  ): Promise<{ recheck: boolean; proposal: Proposal | undefined }>
  setVotePost(
    communityId: number,
    proposalId: number,
    post: { platform: string; postId: string; url: string | null; text?: string; options?: string[] | null },
  ): Promise<void>
  /** Who may vote on it: member ids, or null for every member of the community. */
  setEligibleVoters(communityId: number, proposalId: number, memberIds: number[] | null): Promise<void>
  findByVotePost(communityId: number, platform: string, postId: string): Promise<Proposal | undefined>
  setData(communityId: number, proposalId: number, data: JsonObject): Promise<void>
  /**
   * What one evaluation step leaves, written at its end all at once (one synchronous transaction
   * on SQLite, one statement on PostgreSQL): its log lines, the proposal's data and notified flag
   * and, with `releaseToken`, the lease let go as `releaseLeaseReading` does (whose answer it
   * gives then, except that the proposal may be read even when the token held nothing), or with
   * `answered` the requests a locked re-check answered (its answer: whether more came meanwhile);
   * undefined with neither.
   */
  finishStep(
    communityId: number,
    proposalId: number,
    writes: StepWrites,
  ): Promise<{ recheck: boolean; proposal: Proposal | undefined } | undefined>
}

export type VoteWithVoter = Vote & { username: string; displayName: string }

export interface VoteFilter {
  kind?: VoteValue['kind']
  /** Only votes with this value (for boolean: true = yes). */
  value?: boolean | string | number
  memberIds?: number[]
}

export interface VoteRepo {
  /** One vote per member per proposal: a new vote replaces the member's earlier one. */
  cast(
    communityId: number,
    input: { proposalId: number; memberId: number; vote: VoteValue; now: number },
  ): Promise<Vote>
  withdraw(communityId: number, proposalId: number, memberId: number): Promise<boolean>
  list(communityId: number, proposalId: number, filter?: VoteFilter): Promise<Vote[]>
  /**
   * All votes of a proposal, each with its voter's username (what policy code filters by) and
   * display name (what the proposal's page shows).
   */
  listWithVoters(communityId: number, proposalId: number): Promise<VoteWithVoter[]>
  count(communityId: number, proposalId: number, filter?: VoteFilter): Promise<number>
}

export interface LogInput {
  proposalId?: number | null
  actionId?: number | null
  policyId?: number | null
  level: LogLevel
  message: string
  details?: JsonObject | null
  now: number
}

/** What one evaluation step leaves, written at its end (`ProposalRepo.finishStep`). */
export interface StepWrites {
  /** The proposal's data, when the step's blocks changed it. */
  data?: JsonObject
  /** The first evaluation got past notify. */
  notified?: boolean
  logs: LogInput[]
  /** Lets go of the lease this token holds, as `ProposalRepo.releaseLeaseReading` does. */
  releaseToken?: string
  /**
   * A re-check under the proposal's lock (`Store.proposalLocks`): the count of requests it found
   * (`RecheckState.requested`), cleared unless more came meanwhile (then `recheck` is true).
   */
  answered?: number
}

/** What `ProposalRepo.readForRecheck` finds. */
export interface RecheckState {
  proposal: Proposal
  /** On PostgreSQL, the proposal's action, read with it (one round trip); on SQLite, read apart. */
  action?: Action
  /** On PostgreSQL, its community's `cache_version` (`CommunityRepo.cacheVersion`), read with it. */
  cacheVersion?: number
  /** A first evaluation's lease, expired or not. */
  lease: { token: string; until: number } | null
  /** Re-checks requested (`requestRecheck`) and not answered yet. */
  requested: number
}

export interface LogRepo {
  add(communityId: number, entries: LogInput[]): Promise<void>
  list(
    communityId: number,
    options?: {
      proposalId?: number
      /** The proposal of this number in the community (what people call it). */
      proposalNumber?: number
      actionId?: number
      /** Only lines this severe or more. */
      level?: LogLevel
      platform?: string
      limit?: number
      beforeId?: number
    },
  ): Promise<EvaluationLog[]>
}

/** Users are global (one login for every community they belong to); the rest is per community. */
export interface UserRepo {
  /** A username already taken is refused (`conflict`). */
  create(input: { username: string; displayName: string; passwordHash: string; now: number }): Promise<User>
  get(userId: number): Promise<User | undefined>
  /** With the stored password hash, for signing in only. */
  findForSignIn(username: string): Promise<{ user: User; passwordHash: string } | undefined>
  setPasswordHash(userId: number, passwordHash: string): Promise<void>
  /** Every community where the user is a member (through a `local` account), by community id. */
  memberships(userId: number): Promise<{ communityId: number; communityName: string; memberId: number }[]>
}

export interface SessionRepo {
  create(input: {
    userId: number
    tokenHash: string
    csrfToken: string
    now: number
    expiresAt: number
  }): Promise<Session>
  /** The unexpired session with this token hash, and its user. */
  find(tokenHash: string, now: number): Promise<{ session: Session; user: User } | undefined>
  remove(sessionId: number): Promise<void>
  /** Ends every session of the user but `keepSessionId`; returns how many. */
  removeOthers(userId: number, keepSessionId: number): Promise<number>
  /** Deletes every session that expired before `now`; returns how many. */
  removeExpired(now: number): Promise<number>
}

/** System-wide counters of attempts in fixed windows, shared by every process (sign-in limits). */
/** System-wide leases on the listeners that run in one process at a time (see src/listeners/). */
export interface ListenerLeaseRepo {
  /**
   * Takes or renews the lease `name` for `holder` until `now + leaseMs`, atomically: true when
   * `holder` holds it now (it was free, expired, or already its own), false when another holds it.
   */
  hold(name: string, holder: string, now: number, leaseMs: number): Promise<boolean>
  /** Gives the lease up, if `holder` still holds it, so another process takes over at once. */
  release(name: string, holder: string): Promise<void>
  /** Who holds the lease at `now`, or null. */
  holderOf(name: string, now: number): Promise<string | null>
}

export interface AttemptRepo {
  /**
   * Counts one attempt at `key`, atomically: in the current window, or in a new one of
   * `windowMs` when there is none or it ended. Returns the attempts so far in the window,
   * this one included, and when the window ends.
   */
  count(key: string, windowMs: number, now: number): Promise<{ attempts: number; endsAt: number }>
  /** Forgets the attempts at `key`. */
  clear(key: string): Promise<void>
  /** Deletes the windows that ended by `now`; returns how many. */
  removeEnded(now: number): Promise<number>
}

export interface ApiTokenRepo {
  create(
    communityId: number,
    input: { userId: number; name: string; tokenHash: string; now: number },
  ): Promise<ApiToken>
  /** System-wide (the token says which community): the token with this hash, and its user. */
  findByHash(tokenHash: string): Promise<{ token: ApiToken; user: User } | undefined>
  markUsed(communityId: number, tokenId: number, now: number): Promise<void>
  /** The user's tokens in the community, oldest first. */
  list(communityId: number, userId: number): Promise<ApiToken[]>
  /** Only the user's own token; false when there is none with that id. */
  remove(communityId: number, userId: number, tokenId: number): Promise<boolean>
}

export interface InviteRepo {
  create(
    communityId: number,
    input: {
      tokenHash: string
      /** null when the operator made it (CLI). */
      createdByMemberId: number | null
      /** Makes it a claim link for this member (one who has no dashboard account yet). */
      forMemberId?: number | null
      now: number
      expiresAt: number
    },
  ): Promise<Invite>
  /** System-wide (the link says which community): the invite with this token hash, used or not. */
  findByHash(tokenHash: string): Promise<Invite | undefined>
  get(communityId: number, inviteId: number): Promise<Invite | undefined>
  /** Newest first. */
  list(communityId: number): Promise<Invite[]>
  /** Compare-and-set: true when this call used the invite (unused, unrevoked and unexpired at `now`). */
  use(communityId: number, inviteId: number, memberId: number, now: number): Promise<boolean>
  /** Compare-and-set: true when this call revoked the invite (neither used nor revoked before). */
  revoke(communityId: number, inviteId: number, now: number): Promise<boolean>
}
