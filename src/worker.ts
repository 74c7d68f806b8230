import { startRuntime } from './app.ts'
import { loadConfig } from './config.ts'
import { toError } from './errors.ts'
import { createLogger } from './log.ts'
import { stopOnSignals } from './stop-on-signals.ts'

/**
 * `policykit worker`: migrate, then run the jobs (evaluations and re-checks, executions, outcomes,
 * the sweep) without the HTTP server, until stopped. Any number of workers may share one
 * database; each job runs in one of them.
 */
export async function runWorker(): Promise<void> {
  const config = loadConfig()
  const logger = createLogger(config)
  const worker = await startRuntime(config, logger, undefined, { runJobs: true })
  const queue = worker.runtime.pgBoss ? 'pg-boss' : 'embedded'
  logger.info(
    { database: worker.store.dialect, queue, concurrency: config.jobConcurrency },
    `PolicyKit worker is running (database: ${worker.store.dialect}, queue: ${queue}). Ctrl-C stops it.`,
  )
  stopOnSignals(logger, 'stopping: finishing the running jobs', () => worker.stop())
}

if (import.meta.main) {
  runWorker().catch((e: unknown) => {
    process.stderr.write(`policykit worker: ${toError(e).message}\n`)
    process.exit(1)
  })
}
