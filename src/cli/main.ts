import { parseArgs } from 'node:util'
import { loadConfig } from '../config.ts'
import { toError } from '../errors.ts'
import { main as start } from '../main.ts'
import { loadOrCreateSecretKey } from '../store/crypto.ts'
import { migrate } from '../store/migrate.ts'
import { openStore } from '../store/open-store.ts'
import { runSandboxCommand } from './sandbox-command.ts'

const usage = `usage: policykit <command>

commands:
  start              migrate the database, then run the engine and scheduler
  migrate            apply database migrations and exit
  sandbox FILE…      run each FILE as a policy block in the sandbox; one JSON line per file

configuration comes from the environment (see README.md)`

async function migrateCommand(): Promise<number> {
  const config = loadConfig()
  const secretKey = config.secretKeyHex
    ? Buffer.from(config.secretKeyHex, 'hex')
    : loadOrCreateSecretKey(config.secretKeyPath)
  const store = await openStore(
    config.databaseUrl ? { databaseUrl: config.databaseUrl, secretKey } : { sqlitePath: config.sqlitePath, secretKey },
  )
  try {
    const applied = await migrate(store)
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n')
    return 0
  } finally {
    await store.close()
  }
}

async function run(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: { help: { type: 'boolean', short: 'h' } },
  })
  const [command, ...rest] = positionals
  if (values.help || command === undefined || command === 'help') {
    process.stdout.write(`${usage}\n`)
    return command === undefined && !values.help ? 2 : 0
  }
  switch (command) {
    case 'start':
      await start()
      return -1
    case 'migrate':
      return migrateCommand()
    case 'sandbox':
      if (rest.length === 0) {
        process.stderr.write('policykit sandbox: name at least one FILE\n')
        return 2
      }
      return runSandboxCommand(rest, (line) => process.stdout.write(`${line}\n`))
    default:
      process.stderr.write(`policykit: unknown command '${command}'\n${usage}\n`)
      return 2
  }
}

run(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) {
      process.exitCode = code
    }
  },
  (e: unknown) => {
    process.stderr.write(`policykit: ${toError(e).message}\n`)
    process.exitCode = 1
  },
)
