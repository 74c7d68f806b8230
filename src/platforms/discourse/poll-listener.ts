import { setTimeout as sleep } from 'node:timers/promises'
import { AppError, isAppError } from '../../errors.ts'
import type { PlatformPorts } from '../platform-ports.ts'
import type { ListenerDef } from '../platform.ts'
import { discoursePlatformName } from './context.ts'
import type { DiscourseOptions } from './options.ts'
import { forumOfCommunity, syncPollVotes } from './poll-votes.ts'
import { forumFetch } from './client.ts'

/** Pending proposals read per page of the sweep over them. */
const pageSize = 100

/**
 * The `poller` listener: every `pollIntervalMs`, each pending proposal whose vote is a Discourse
 * poll reads its voters and casts what changed (`syncPollVotes`). One process at a time runs it
 * (`once`: reading every poll from every process would spend the forum's rate limit many times
 * over; a vote cast twice would only be cast once, the engine moves or keeps it). A forum that
 * answers 429 is left alone until its Retry-After has passed; its proposals are read then.
 */
export function discoursePollListener(options: DiscourseOptions, ports: PlatformPorts): ListenerDef {
  const fetchFn = forumFetch(options)
  /** Forum URL → when it may be called again (after a 429), in this process's monotonic ms: the wait is real time. */
  const resting = new Map<string, number>()

  async function sweep(signal: AbortSignal): Promise<void> {
    let afterId = 0
    for (;;) {
      const page = await ports.votes.pendingHosted(afterId, pageSize)
      for (const proposal of page) {
        if (signal.aborted) {
          return
        }
        afterId = proposal.id
        const forum = await forumOfCommunity(ports, proposal.communityId)
        if (!forum || (resting.get(forum.url) ?? 0) > performance.now()) {
          continue
        }
        try {
          await syncPollVotes(ports, fetchFn, forum, proposal)
        } catch (e) {
          if (isAppError(e, 'platform_unavailable')) {
            resting.set(forum.url, performance.now() + (e.retryAfterMs ?? options.pollIntervalMs))
          }
          ports.logger.warn(
            {
              platform: discoursePlatformName,
              communityId: proposal.communityId,
              proposalId: proposal.id,
              error: e instanceof AppError ? e.message : String(e),
            },
            'discourse: could not read the poll’s votes',
          )
        }
      }
      if (page.length < pageSize) {
        return
      }
    }
  }

  return {
    name: 'poller',
    scope: 'once',
    async run(signal) {
      while (!signal.aborted) {
        await sweep(signal)
        try {
          await sleep(options.pollIntervalMs, undefined, { signal })
        } catch {
          return
        }
      }
    },
  }
}
