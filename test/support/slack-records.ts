import type { Member } from '../../src/domain/member.ts'
import { silentLogger } from '../../src/engine/logger.ts'
import { createPlatformPorts } from '../../src/create-platform-ports.ts'
import type { DeliveryClaim, PlatformPorts } from '../../src/platforms/platform-ports.ts'
import { ensureSlackMember as ensureMember } from '../../src/platforms/slack/members.ts'
import type { Store } from '../../src/store/store.ts'

/**
 * The Slack platform's ports over `store` at the time `now`, without an engine (votes and
 * proposals are not theirs to reach here): the kit's records as Slack uses them.
 */
export function slackPorts(store: Store, now: number | (() => number) = 0): PlatformPorts {
  return createPlatformPorts({
    platform: 'slack',
    store,
    engine: { current: null },
    logger: silentLogger,
    now: typeof now === 'number' ? () => now : now,
  })
}

/** The member for a Slack user, made (with a linked `slack` account) as an import would. */
export function ensureSlackMember(
  store: Store,
  communityId: number,
  user: { id: string; name: string; displayName?: string },
  now: number,
): Promise<Member> {
  return ensureMember(slackPorts(store, now).members, communityId, user)
}

export const recordEcho = (store: Store, communityId: number, key: string, now: number): Promise<void> =>
  slackPorts(store, now).echoes.record(communityId, key)
export const forgetEcho = (store: Store, communityId: number, key: string): Promise<void> =>
  slackPorts(store).echoes.forget(communityId, key)
export const takeEcho = (store: Store, communityId: number, key: string): Promise<boolean> =>
  slackPorts(store).echoes.take(communityId, key)

export const claimEvent = (store: Store, communityId: number, id: string, now: number): Promise<DeliveryClaim> =>
  slackPorts(store, now).deliveries.claim(communityId, id)
export const finishEvent = (store: Store, communityId: number, id: string): Promise<void> =>
  slackPorts(store).deliveries.finish(communityId, id)
