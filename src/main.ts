import { startApp } from './app.ts'
import { loadConfig } from './config.ts'
import { toError } from './errors.ts'
import { createLogger } from './log.ts'
import { stopOnSignals } from './stop-on-signals.ts'

/** `npm start`: migrate, run the engine and the scheduler, and serve the API and dashboard until stopped. */
export async function main(): Promise<void> {
  const config = loadConfig()
  const logger = createLogger(config)
  const app = await startApp(config, logger)
  try {
    await app.server.listen({ port: config.port, host: config.host })
  } catch (e) {
    await app.stop()
    throw e
  }
  const where = config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : config.sqlitePath
  logger.info(
    { database: where, listen: `${config.host}:${config.port}`, publicUrl: config.publicUrl },
    `PolicyKit is running at ${config.publicUrl} (database: ${where}). Ctrl-C stops it.`,
  )
  if (app.setupToken !== null) {
    const link = `${config.publicUrl}/setup?token=${app.setupToken}`
    logger.info({ link }, 'no community yet: open the set-up link to create the first one')
    // A plain line too, for a person reading the terminal rather than the JSON log.
    process.stdout.write(`\nSet up PolicyKit: ${link}\n\n`)
  }
  stopOnSignals(logger, 'stopping', () => app.stop())
}

if (import.meta.main) {
  main().catch((e: unknown) => {
    process.stderr.write(`policykit: ${toError(e).message}\n`)
    process.exit(1)
  })
}
