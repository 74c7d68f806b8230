import { startApp } from './app.ts'
import { loadConfig } from './config.ts'
import { toError } from './errors.ts'
import { createLogger } from './log.ts'

/** `npm start`: migrate, then run the engine and the scheduler until stopped. */
export async function main(): Promise<void> {
  const config = loadConfig()
  const logger = createLogger(config)
  const app = await startApp(config, logger)
  const where = config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : config.sqlitePath
  logger.info(
    { database: where, sweepSeconds: config.sweepIntervalMs / 1000 },
    `PolicyKit is running: engine and scheduler started on ${where}; the web dashboard is not part of this build yet. Ctrl-C stops it.`,
  )
  // Nothing else holds the event loop open until the HTTP server exists.
  const keepAlive = setInterval(() => {}, 1 << 30)
  const stop = (signal: string) => {
    logger.info({ signal }, 'stopping')
    clearInterval(keepAlive)
    app.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        logger.error({ err: toError(e) }, 'error while stopping')
        process.exit(1)
      },
    )
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

if (import.meta.main) {
  main().catch((e: unknown) => {
    process.stderr.write(`policykit: ${toError(e).message}\n`)
    process.exit(1)
  })
}
