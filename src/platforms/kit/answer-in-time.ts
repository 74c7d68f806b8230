import { toError } from '../../errors.ts'
import type { HostLogger } from '../platform-ports.ts'

type Clock = { setTimer(ms: number, fn: () => void): { cancel(): void } }

/** Waits for `work` up to `withinMs`: its value when it came in time, else `late` (it goes on alone). */
export async function settleWithin<T>(
  clock: Clock,
  withinMs: number,
  work: Promise<T>,
): Promise<{ inTime: true; value: T } | { inTime: false }> {
  let timer: { cancel(): void } | undefined
  const late = new Promise<{ inTime: false }>((resolve) => {
    timer = clock.setTimer(withinMs, () => resolve({ inTime: false }))
  })
  try {
    return await Promise.race([work.then((value) => ({ inTime: true as const, value })), late])
  } finally {
    timer?.cancel()
  }
}

/** A clock of real time, for parts not handed the host's (an interaction's few seconds are real). */
export const realTimers: Clock = {
  setTimer(ms, fn) {
    const handle = setTimeout(fn, ms)
    return { cancel: () => clearTimeout(handle) }
  },
}

/**
 * Waits for a webhook's handling up to `withinMs` (its failure then fails the request, so the
 * platform retries); past that, lets it finish on its own and logs how it ends. Platforms retry
 * an unanswered delivery after a few seconds (Slack: 3 s).
 */
export async function answerInTime(
  clock: Clock,
  logger: HostLogger,
  withinMs: number,
  work: Promise<void>,
  context: object,
): Promise<void> {
  if (!(await settleWithin(clock, withinMs, work)).inTime) {
    logWhenFailed(logger, work, context)
  }
}

/** Lets work that outlived its answer finish alone, logging its failure. */
export function logWhenFailed(logger: HostLogger, work: Promise<unknown>, context: object): void {
  work.catch((e: unknown) => {
    logger.error({ ...context, err: toError(e) }, 'webhook: handling failed after the answer')
  })
}
