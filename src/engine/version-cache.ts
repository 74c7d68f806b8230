import type { PolicyVersion } from '../domain/policy.ts'
import type { Store } from '../store/store.ts'

/**
 * Policy versions never change once written, so the engine keeps the recent ones in memory
 * instead of reading the same code for every evaluation.
 */
export class VersionCache {
  private readonly entries = new Map<string, PolicyVersion>()
  private readonly store: Store
  private readonly capacity: number

  constructor(store: Store, capacity = 500) {
    this.store = store
    this.capacity = capacity
  }

  async get(communityId: number, versionId: number): Promise<PolicyVersion | undefined> {
    const key = `${communityId}:${versionId}`
    const cached = this.entries.get(key)
    if (cached) {
      return cached
    }
    const version = await this.store.policies.getVersion(communityId, versionId)
    if (version) {
      if (this.entries.size >= this.capacity) {
        const oldest = this.entries.keys().next()
        if (!oldest.done) {
          this.entries.delete(oldest.value)
        }
      }
      this.entries.set(key, version)
    }
    return version
  }
}
