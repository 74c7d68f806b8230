import type { Logger } from './engine/logger.ts'
import { toError } from './errors.ts'

/** On SIGINT or SIGTERM: says `what`, runs `stop`, and exits 0 (1 when stopping failed). */
export function stopOnSignals(logger: Logger, what: string, stop: () => Promise<void>): void {
  const onSignal = (signal: string) => {
    logger.info({ signal }, what)
    stop().then(
      () => process.exit(0),
      (e: unknown) => {
        logger.error({ err: toError(e) }, 'error while stopping')
        process.exit(1)
      },
    )
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
}
