import type { ActionKind } from '../domain/action.ts'
import type { Member, Role } from '../domain/member.ts'
import type { Policy } from '../domain/policy.ts'
import type { Store } from '../store/store.ts'

/** Who proposed an action, with the roles that decide what they may do. */
export interface Initiator {
  member: Member
  roles: Role[]
}

/** What the engine keeps of one community, valid while its `cache_version` stays the same. */
interface Entry {
  version: number
  initiators: Map<number, Initiator | null>
  candidates: Map<string, Policy[]>
  defaultRoles: Role[] | undefined
}

/**
 * A community's members with their roles, its default roles and its candidate policies, kept
 * between evaluations. Each use reads the community's `cache_version` (which the database bumps
 * on any change to members, member roles, roles or policies, whoever makes it) and starts
 * afresh when it moved, so nothing stale is ever used, across processes too. Holds at most
 * `capacity` communities, the least recently used going first.
 */
export class CommunityCache {
  private readonly entries = new Map<number, Entry>()
  private readonly store: Store
  private readonly capacity: number

  constructor(store: Store, capacity = 200) {
    this.store = store
    this.capacity = capacity
  }

  /**
   * The community's entry as current as the database's version says (`known`: the version as
   * just read with something else); undefined if it is gone.
   */
  private async entry(communityId: number, known?: number): Promise<Entry | undefined> {
    const version = known ?? (await this.store.communities.cacheVersion(communityId))
    const cached = this.entries.get(communityId)
    if (version === undefined) {
      this.entries.delete(communityId)
      return undefined
    }
    if (cached?.version === version) {
      // Most recently used last.
      this.entries.delete(communityId)
      this.entries.set(communityId, cached)
      return cached
    }
    const fresh: Entry = { version, initiators: new Map(), candidates: new Map(), defaultRoles: undefined }
    this.entries.delete(communityId)
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next()
      if (!oldest.done) {
        this.entries.delete(oldest.value)
      }
    }
    this.entries.set(communityId, fresh)
    return fresh
  }

  /**
   * The community as of one read of its version: for the steps of one operation (a proposal's
   * permission check and choice of policy), which then read the version once, not each.
   */
  async snapshot(communityId: number, knownVersion?: number): Promise<CommunitySnapshot> {
    return new CommunitySnapshot(this.store, communityId, await this.entry(communityId, knownVersion))
  }

  /**
   * The member and their effective roles; null for a member not (or no longer) in the community.
   * `knownVersion`: the community's `cache_version` as just read with the caller's own data.
   */
  async initiator(communityId: number, memberId: number, knownVersion?: number): Promise<Initiator | null> {
    return (await this.snapshot(communityId, knownVersion)).initiator(memberId)
  }

  /** `PolicyRepo.candidates`, kept. */
  async candidates(communityId: number, kind: ActionKind, actionType: string): Promise<Policy[]> {
    return (await this.snapshot(communityId)).candidates(kind, actionType)
  }
}

/** What `CommunityCache` knows of one community at one version (undefined: the community is gone). */
export class CommunitySnapshot {
  private readonly store: Store
  readonly communityId: number
  private readonly entry: Entry | undefined

  constructor(store: Store, communityId: number, entry: Entry | undefined) {
    this.store = store
    this.communityId = communityId
    this.entry = entry
  }

  async initiator(memberId: number): Promise<Initiator | null> {
    const cached = this.entry?.initiators.get(memberId)
    if (cached !== undefined) {
      return cached
    }
    const [member, roles] = await Promise.all([
      this.store.members.get(this.communityId, memberId),
      this.store.roles.effectiveRoles(this.communityId, memberId),
    ])
    const initiator = member ? { member, roles } : null
    this.entry?.initiators.set(memberId, initiator)
    return initiator
  }

  /** The community's default roles (what an action nobody initiated may do). */
  async defaultRoles(): Promise<Role[]> {
    if (this.entry?.defaultRoles !== undefined) {
      return this.entry.defaultRoles
    }
    const roles = (await this.store.roles.list(this.communityId)).filter((r) => r.isDefault)
    if (this.entry) {
      this.entry.defaultRoles = roles
    }
    return roles
  }

  async candidates(kind: ActionKind, actionType: string): Promise<Policy[]> {
    const key = `${kind} ${actionType}`
    const cached = this.entry?.candidates.get(key)
    if (cached !== undefined) {
      return cached
    }
    const policies = await this.store.policies.candidates(this.communityId, kind, actionType)
    this.entry?.candidates.set(key, policies)
    return policies
  }
}
