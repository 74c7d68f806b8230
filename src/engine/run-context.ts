import type { Action } from '../domain/action.ts'
import type { LogLevel } from '../domain/community.ts'
import type { JsonObject, JsonValue } from '../domain/json.ts'
import type { Member, Role } from '../domain/member.ts'
import type { PolicyVersion } from '../domain/policy.ts'
import type { Proposal } from '../domain/proposal.ts'
import type { Vote } from '../domain/vote.ts'
import { variableValues } from '../domain/policy.ts'
import { AppError } from '../errors.ts'
import type { HostFunction } from '../sandbox/sandbox.ts'
import type { LogInput, StepWrites, Store, VoteWithVoter } from '../store/store.ts'

/** The governed action as policy code sees it, with its initiator resolved. */
export interface ActionView {
  action: Action
  initiator: { member: Member; roles: Role[]; platform: string } | null
  /** For `<type>.executed` triggers: the trigger's own type (the action shown is the governed one). */
  triggerType?: string
  triggerData?: JsonObject
}

/**
 * Proposals just created, whose first evaluation knows their votes without reading them: none.
 * A vote cast while that evaluation runs requests a re-check, which reads it.
 */
const newProposals = new WeakSet<Proposal>()

/** `proposal` was just created (by this process, which is about to evaluate it for the first time). */
export function markNew(proposal: Proposal): void {
  newProposals.add(proposal)
}

/** Up to this many votes, the vote queries without arguments are answered inside the sandbox. */
const answeredVotesAtMost = 50

/** What `getYesVotes` and the others select; `users` narrows it to some voters. */
interface VoteQuery {
  kind?: Vote['kind']
  value?: boolean | string | number
}

/**
 * Everything one evaluation of one proposal shares across its blocks: what is in scope, the
 * proposal's data store and the log lines policy code writes, both flushed once at the end.
 * The proposal's votes are read once, before its first block, so that the vote queries are
 * synchronous (a vote cast meanwhile triggers another check).
 */
export class RunContext {
  readonly logs: LogInput[] = []
  private data: JsonObject
  private dataDirty = false
  /** The first evaluation got as far as notify (a blank one): written with the rest. */
  private notified = false
  private votePost: { postId: string; url: string | null } | null = null
  private votes: VoteWithVoter[] | null = null
  readonly store: Store
  readonly view: ActionView
  readonly version: PolicyVersion
  readonly proposal: Proposal | null
  readonly now: number

  constructor(options: {
    store: Store
    view: ActionView
    version: PolicyVersion
    proposal: Proposal | null
    now: number
    /** The proposal's votes as an evaluation just read them (`votesRead`), not to be read again. */
    votes?: VoteWithVoter[] | null
  }) {
    this.store = options.store
    this.view = options.view
    this.version = options.version
    this.proposal = options.proposal
    this.now = options.now
    this.data = options.proposal ? { ...options.proposal.data } : {}
    this.votes = options.votes ?? (options.proposal && newProposals.has(options.proposal) ? [] : null)
  }

  /** The votes this evaluation's blocks saw; null when none ran that needed them. */
  get votesRead(): VoteWithVoter[] | null {
    return this.votes
  }

  get communityId(): number {
    return this.view.action.communityId
  }

  log(level: LogLevel, message: string, details: JsonObject | null = null): void {
    this.logs.push({
      proposalId: this.proposal?.id ?? null,
      actionId: this.view.action.id,
      policyId: this.version.policyId,
      level,
      message,
      details,
      now: this.now,
    })
  }

  /** Reads the proposal's votes and their voters' usernames, once per evaluation. */
  async loadVotes(): Promise<void> {
    if (this.votes !== null || !this.proposal) {
      return
    }
    this.votes = await this.store.votes.listWithVoters(this.communityId, this.proposal.id)
  }

  /** Lets blocks after `initiateVote` see `proposal.votePostId` and `proposal.voteUrl`. */
  setVotePost(post: { postId: string; url: string | null }): void {
    this.votePost = post
  }

  globals(): Record<string, JsonValue> {
    const { action, initiator } = this.view
    // A trigger may describe who caused it on the platform (e.g. `{ externalUsername, provider }`):
    // those fields join the member, or stand alone when no member is known.
    const given = (this.view.triggerData ?? (action.kind === 'trigger' ? action.params : undefined))?.['initiator']
    const described = typeof given === 'object' && given !== null && !Array.isArray(given) ? given : null
    const globals: Record<string, JsonValue> = {
      PASSED: 'passed',
      FAILED: 'failed',
      PROPOSED: 'proposed',
      action: {
        ...action.params,
        ...(this.view.triggerData ?? {}),
        id: action.id,
        kind: action.kind,
        type: action.type,
        platform: action.platform,
        createdAt: action.createdAt,
        initiator: initiator
          ? {
              ...described,
              id: initiator.member.id,
              username: initiator.member.username,
              displayName: initiator.member.displayName,
              platform: initiator.platform,
              roles: initiator.roles.map((r) => r.name),
            }
          : described,
      },
      policy: {
        id: this.version.policyId,
        name: this.version.name,
        description: this.version.description,
        kind: this.version.kind,
        actionTypes: this.version.actionTypes,
      },
      variables: variableValues(this.version.variables),
    }
    if (this.proposal) {
      globals['proposal'] = {
        id: this.proposal.id,
        number: this.proposal.number,
        status: this.proposal.status,
        proposedAt: this.proposal.proposedAt,
        votePostId: this.votePost?.postId ?? this.proposal.votePostId,
        voteUrl: this.votePost ? this.votePost.url : this.proposal.voteUrl,
      }
    }
    return globals
  }

  functions(): Record<string, HostFunction> {
    const log =
      (level: LogLevel): HostFunction =>
      (...args) => {
        this.log(level, args.map(formatLogArg).join(' '))
        return undefined
      }
    const fns: Record<string, HostFunction> = {
      'logger.debug': log('debug'),
      'logger.info': log('info'),
      'logger.warn': log('warn'),
      'logger.error': log('error'),
    }
    const roles = new Set(this.view.initiator?.roles.map((r) => r.name) ?? [])
    if (this.view.initiator) {
      fns['action.initiator.hasRole'] = (name) => typeof name === 'string' && roles.has(name)
    }
    const proposal = this.proposal
    if (proposal) {
      Object.assign(fns, this.proposalFunctions(proposal))
    }
    return fns
  }

  private proposalFunctions(proposal: Proposal): Record<string, HostFunction> {
    const votes = (query: VoteQuery, users: JsonValue | undefined) => this.listVotes(query, users)
    return {
      'proposal.getTimeElapsed': () => this.now - proposal.proposedAt,
      'proposal.getYesVotes': (users) => votes({ kind: 'boolean', value: true }, users),
      'proposal.getNoVotes': (users) => votes({ kind: 'boolean', value: false }, users),
      'proposal.getChoiceVotes': (value, users) =>
        votes(typeof value === 'string' ? { kind: 'choice', value } : { kind: 'choice' }, users),
      'proposal.getNumberVotes': (value, users) =>
        votes(typeof value === 'number' ? { kind: 'number', value } : { kind: 'number' }, users),
      'proposal.getAllVotes': (users) => votes({}, users),
      'proposal.data.get': (key) => (typeof key === 'string' ? (this.data[key] ?? null) : null),
      'proposal.data.set': (key, value) => {
        if (typeof key !== 'string') {
          throw new AppError('invalid_input', 'proposal.data.set(key, value): key must be a string')
        }
        this.data[key] = value ?? null
        this.dataDirty = true
        return true
      },
      'proposal.data.remove': (key) => {
        if (typeof key !== 'string' || !(key in this.data)) {
          return false
        }
        delete this.data[key]
        this.dataDirty = true
        return true
      },
    }
  }

  /**
   * What the proposal's queries answer when called without arguments, for the sandbox to answer
   * them itself (no trip to this thread): they cannot change during a run. Left out when the
   * votes are many, since each query's answer would travel whether it is asked or not.
   */
  answers(): Record<string, Record<string, JsonValue | undefined>> {
    const proposal = this.proposal
    if (!proposal || this.votes === null || this.votes.length > answeredVotesAtMost) {
      return {}
    }
    const none = (value: JsonValue) => ({ '[]': value })
    return {
      'proposal.getTimeElapsed': none(this.now - proposal.proposedAt),
      'proposal.getYesVotes': none(this.listVotes({ kind: 'boolean', value: true }, undefined)),
      'proposal.getNoVotes': none(this.listVotes({ kind: 'boolean', value: false }, undefined)),
      'proposal.getChoiceVotes': none(this.listVotes({ kind: 'choice' }, undefined)),
      'proposal.getNumberVotes': none(this.listVotes({ kind: 'number' }, undefined)),
      'proposal.getAllVotes': none(this.listVotes({}, undefined)),
    }
  }

  private listVotes(query: VoteQuery, users: JsonValue | undefined): JsonValue {
    if (this.votes === null) {
      throw new Error('the proposal votes were not loaded before the block ran')
    }
    const voters = voterFilter(users)
    return this.votes
      .filter(
        (vote) =>
          (query.kind === undefined || vote.kind === query.kind) &&
          (query.value === undefined || vote.value === query.value) &&
          (voters === null || voters.ids.has(vote.memberId) || voters.names.has(vote.username)),
      )
      .map((vote) => ({ memberId: vote.memberId, kind: vote.kind, value: vote.value, castAt: vote.castAt }))
  }

  /** Forgets the blocks' writes to the proposal's data (a step put off starts again from the stored data). */
  discardData(): void {
    this.data = this.proposal ? { ...this.proposal.data } : {}
    this.dataDirty = false
    this.notified = false
  }

  /** Marks the proposal notified with the next `flush` (for a blank notify block: nothing runs). */
  markNotified(): void {
    this.notified = true
  }

  /** What the blocks changed and the log lines written so far, taken (they are written once). */
  takeWrites(): StepWrites {
    const writes: StepWrites = {
      logs: this.logs.splice(0),
      ...(this.dataDirty && { data: { ...this.data } }),
      ...(this.notified && { notified: true }),
    }
    this.dataDirty = false
    this.notified = false
    return writes
  }

  /**
   * Writes what the blocks changed (the proposal's data, the log lines, the notified flag) and,
   * with `release`, lets go of the lease, all at once (`ProposalRepo.finishStep`: one synchronous
   * transaction on SQLite, one statement on PostgreSQL), never held across an await. `store`: a
   * transaction to write them in instead (the decision's).
   */
  async flush(release?: LeaseRelease, store: Store = this.store): Promise<void> {
    const proposal = this.proposal
    if (!proposal) {
      const logs = this.logs.splice(0)
      if (logs.length > 0) {
        await store.logs.add(this.communityId, logs)
      }
      return
    }
    const letGo = release?.letGo()
    const writes: StepWrites = { ...this.takeWrites(), ...letGo }
    if (!letGo && writes.data === undefined && !writes.notified && writes.logs.length === 0) {
      return
    }
    const released = await store.proposals.finishStep(this.communityId, proposal.id, writes)
    if (release && released) {
      release.settle(released)
    }
  }
}

/**
 * What an evaluation holds the proposal by (a first evaluation's lease, or a re-check's lock), let
 * go with its last writes (see `RunContext.flush`).
 */
export interface LeaseRelease {
  /** What the last writes let go of; undefined when there is nothing to write for it. */
  letGo(): Pick<StepWrites, 'releaseToken' | 'answered'> | undefined
  /** The proposal was decided: requests to re-check it need no answer any more. */
  decided(): void
  /** Told what letting go found: whether a re-check came in meanwhile, and the proposal then. */
  settle(released: { recheck: boolean; proposal: Proposal | undefined }): void
}

/** `users` may be usernames, member ids or member objects ({ id } / { username }); null is everyone. */
export function voterFilter(users: JsonValue | undefined): { ids: Set<number>; names: Set<string> } | null {
  if (users === undefined || users === null) {
    return null
  }
  const ids = new Set<number>()
  const names = new Set<string>()
  for (const user of Array.isArray(users) ? users : [users]) {
    if (typeof user === 'number') {
      ids.add(user)
    } else if (typeof user === 'string') {
      names.add(user)
    } else if (user && typeof user === 'object' && !Array.isArray(user)) {
      const id = user['id']
      const username = user['username']
      if (typeof id === 'number') {
        ids.add(id)
      } else if (typeof username === 'string') {
        names.add(username)
      }
    }
  }
  return { ids, names }
}

function formatLogArg(arg: JsonValue): string {
  return typeof arg === 'string' ? arg : JSON.stringify(arg)
}
