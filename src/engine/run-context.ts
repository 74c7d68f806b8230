import type { Action } from '../domain/action.ts'
import type { LogLevel } from '../domain/community.ts'
import type { JsonObject, JsonValue } from '../domain/json.ts'
import type { Member, Role } from '../domain/member.ts'
import type { PolicyVersion } from '../domain/policy.ts'
import type { Proposal } from '../domain/proposal.ts'
import type { VoteValue } from '../domain/vote.ts'
import { variableValues } from '../domain/policy.ts'
import { AppError } from '../errors.ts'
import type { HostFunction } from '../sandbox/sandbox.ts'
import type { LogInput, Store, VoteFilter } from '../store/store.ts'

/** The governed action as policy code sees it, with its initiator resolved. */
export interface ActionView {
  action: Action
  initiator: { member: Member; roles: Role[]; platform: string } | null
  /** For `<type>.executed` triggers: the trigger's own type (the action shown is the governed one). */
  triggerType?: string
  triggerData?: JsonObject
}

/**
 * Everything one evaluation of one proposal shares across its blocks: what is in scope, the
 * proposal's data store and the log lines policy code writes, both flushed once at the end.
 */
export class RunContext {
  readonly logs: LogInput[] = []
  private data: JsonObject
  private dataDirty = false
  private votePost: { postId: string; url: string | null } | null = null
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
  }) {
    this.store = options.store
    this.view = options.view
    this.version = options.version
    this.proposal = options.proposal
    this.now = options.now
    this.data = options.proposal ? { ...options.proposal.data } : {}
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

  /** Lets blocks after `initiateVote` see `proposal.votePostId` and `proposal.voteUrl`. */
  setVotePost(post: { postId: string; url: string | null }): void {
    this.votePost = post
  }

  globals(): Record<string, JsonValue> {
    const { action, initiator } = this.view
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
              id: initiator.member.id,
              username: initiator.member.username,
              displayName: initiator.member.displayName,
              platform: initiator.platform,
              roles: initiator.roles.map((r) => r.name),
            }
          : null,
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
    const votes = (filter: VoteFilter, users: JsonValue | undefined) => async () =>
      this.listVotes(proposal, { ...filter, ...(await this.memberFilter(users)) })
    return {
      'proposal.getTimeElapsed': () => this.now - proposal.proposedAt,
      'proposal.getYesVotes': (users) => votes({ kind: 'boolean', value: true }, users)(),
      'proposal.getNoVotes': (users) => votes({ kind: 'boolean', value: false }, users)(),
      'proposal.getChoiceVotes': (value, users) =>
        votes(typeof value === 'string' ? { kind: 'choice', value } : { kind: 'choice' }, users)(),
      'proposal.getNumberVotes': (value, users) =>
        votes(typeof value === 'number' ? { kind: 'number', value } : { kind: 'number' }, users)(),
      'proposal.getAllVotes': (users) => votes({}, users)(),
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

  /** `users` may be usernames, member ids or member objects ({ id } / { username }). */
  private async memberFilter(users: JsonValue | undefined): Promise<Pick<VoteFilter, 'memberIds'>> {
    if (users === undefined || users === null) {
      return {}
    }
    const list = Array.isArray(users) ? users : [users]
    const ids: number[] = []
    for (const user of list) {
      if (typeof user === 'number') {
        ids.push(user)
      } else if (typeof user === 'string') {
        const member = await this.store.members.getByUsername(this.communityId, user)
        if (member) {
          ids.push(member.id)
        }
      } else if (user && typeof user === 'object' && !Array.isArray(user)) {
        const id = user['id']
        const username = user['username']
        if (typeof id === 'number') {
          ids.push(id)
        } else if (typeof username === 'string') {
          const member = await this.store.members.getByUsername(this.communityId, username)
          if (member) {
            ids.push(member.id)
          }
        }
      }
    }
    return { memberIds: ids }
  }

  private async listVotes(proposal: Proposal, filter: VoteFilter): Promise<JsonValue> {
    const votes = await this.store.votes.list(this.communityId, proposal.id, filter)
    return votes.map((v) => ({ memberId: v.memberId, kind: v.kind, value: voteJson(v), castAt: v.castAt }))
  }

  /** Writes what the blocks changed: the proposal's data and the log lines. */
  async flush(): Promise<void> {
    if (this.dataDirty && this.proposal) {
      await this.store.proposals.setData(this.communityId, this.proposal.id, this.data)
      this.dataDirty = false
    }
    if (this.logs.length > 0) {
      await this.store.logs.add(this.communityId, this.logs.splice(0))
    }
  }
}

function voteJson(vote: VoteValue): JsonValue {
  return vote.value
}

function formatLogArg(arg: JsonValue): string {
  return typeof arg === 'string' ? arg : JSON.stringify(arg)
}
