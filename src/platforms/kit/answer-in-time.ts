import { toError } from '../../errors.ts'
import type { HostLogger } from '../platform-ports.ts'

/**
 * Waits for a webhook's handling up to `withinMs` (its failure then fails the request, so the
 * platform retries); past that, lets it finish on its own and logs how it ends. Platforms retry
 * an unanswered delivery after a few seconds (Slack: 3 s).
 */
export async function answerInTime(
  clock: { setTimer(ms: number, fn: () => void): { cancel(): void } },
  logger: HostLogger,
  withinMs: number,
  work: Promise<void>,
  context: object,
): Promise<void> {
  let timer: { cancel(): void } | undefined
  const late = new Promise<'late'>((resolve) => {
    timer = clock.setTimer(withinMs, () => resolve('late'))
  })
  try {
    if ((await Promise.race([work.then(() => 'done' as const), late])) === 'late') {
      work.catch((e: unknown) => {
        logger.error({ ...context, err: toError(e) }, 'webhook: handling failed after the answer')
      })
    }
  } finally {
    timer?.cancel()
  }
}
