import type { Store } from '../../store/store.ts'

/**
 * Runs `check` (that a name is free) and then `write` (which gives it) as one transaction, with
 * the community's names held (`CommunityRepo.holdNames`) from before the check: two changes that would give
 * two roles, active documents or active policies one name, carried out at once by two processes,
 * then run one after the other, and the second is refused by its check.
 */
export function withNameHeld<T>(
  store: Store,
  communityId: number,
  check: (trx: Store) => Promise<void>,
  write: (trx: Store) => Promise<T>,
): Promise<T> {
  return store.transaction(async (trx) => {
    await trx.communities.holdNames(communityId)
    await check(trx)
    return write(trx)
  })
}
