import type { Store } from '../../store/store.ts'

/**
 * Runs `write` in one transaction after `check` (that `name` is free), with the community's names
 * held (`CommunityRepo.holdNames`) from before the check: two changes that would give two roles,
 * active documents or active policies one name, carried out at once by two processes, then run one
 * after the other, and the second is refused by its check. The names are held before anything
 * `write` locks (the community's row, which a new role or policy also bumps), so that two holders
 * never wait for each other. Without a `name` (the change gives none), `write` alone.
 */
export function withNameHeld<T>(
  store: Store,
  communityId: number,
  name: string | undefined,
  check: (trx: Store, name: string) => Promise<void>,
  write: (trx: Store) => Promise<T>,
): Promise<T> {
  return store.transaction(async (trx) => {
    if (name !== undefined) {
      await trx.communities.holdNames(communityId)
      await check(trx, name)
    }
    return write(trx)
  })
}
