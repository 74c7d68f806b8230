import type { Community } from '../domain/community.ts'
import type { Member } from '../domain/member.ts'
import { refuseSameName } from '../domain/names.ts'
import { toPolicyInput } from '../domain/policy-document.ts'
import { AppError } from '../errors.ts'
import type { Store } from '../store/store.ts'
import type { Kit } from './kit.ts'
import { getKit } from './list-kits.ts'

export interface ApplyKitOptions {
  /** The member who installs the kit: the one `grantTo: 'creator'` roles go to. */
  creatorMemberId: number
  now: number
}

/**
 * Sets up a community from a starter kit: its roles, who holds them, and its policies, all in
 * one transaction, so a kit that fails half-way leaves nothing behind. A kit is a starting
 * point, so the community must have no roles or policies yet: nothing is merged or renamed
 * (the original upserted roles by their base-role flag and took over unrelated roles).
 */
export async function applyKit(store: Store, communityId: number, kitName: string, options: ApplyKitOptions) {
  await applyKitDefinition(store, communityId, getKit(kitName), options)
}

/** `applyKit` for a kit given as data; in one transaction of its own, or the caller's. */
export async function applyKitDefinition(
  store: Store,
  communityId: number,
  kit: Kit,
  { creatorMemberId, now }: ApplyKitOptions,
): Promise<void> {
  await store.transaction(async (tx) => {
    if (!(await tx.communities.get(communityId))) {
      throw new AppError('not_found', `community ${communityId} not found`)
    }
    if (!(await tx.members.get(communityId, creatorMemberId))) {
      throw new AppError('not_found', `member ${creatorMemberId} not found in community ${communityId}`)
    }
    const [roles, policies] = await Promise.all([tx.roles.list(communityId), tx.policies.list(communityId)])
    if (roles.length > 0 || policies.length > 0) {
      throw new AppError(
        'conflict',
        `community ${communityId} already has ${roles.length} roles and ${policies.length} policies; a starter kit only sets up a new community`,
      )
    }
    for (const doc of kit.policies) {
      await tx.policies.create(communityId, toPolicyInput(doc), now)
    }
    const members = await tx.members.list(communityId)
    for (const role of kit.roles) {
      const created = await tx.roles.create(communityId, {
        name: role.name,
        description: role.description,
        permissions: role.permissions,
        isDefault: role.isDefault,
      })
      const holders =
        role.grantTo === 'all' ? members.map((m) => m.id) : role.grantTo === 'creator' ? [creatorMemberId] : []
      for (const memberId of holders) {
        await tx.roles.assign(communityId, memberId, created.id)
      }
    }
  })
}

export interface CreateCommunityWithKitInput {
  name: string
  kit: string | Kit
  creator: { username: string; displayName?: string }
  now: number
}

/** A new community, its creator and its starter kit, together or not at all. */
export async function createCommunityWithKit(
  store: Store,
  input: CreateCommunityWithKitInput,
): Promise<{ community: Community; creator: Member }> {
  const kit = typeof input.kit === 'string' ? getKit(input.kit) : input.kit
  return store.transaction(async (tx) => {
    // Two communities with one name would be told apart by their ids only.
    refuseSameName('a community', await tx.communities.listAll(), input.name)
    const community = await tx.communities.create({ name: input.name, now: input.now })
    const creator = await tx.members.create(community.id, {
      username: input.creator.username,
      ...(input.creator.displayName !== undefined && { displayName: input.creator.displayName }),
      now: input.now,
    })
    await applyKitDefinition(tx, community.id, kit, { creatorMemberId: creator.id, now: input.now })
    return { community, creator }
  })
}
