import { parseArgs } from 'node:util'
import { configuredSecretKey, openConfiguredStore } from '../app.ts'
import { loadConfig } from '../config.ts'
import { derivePlatformKey } from '../derive-platform-key.ts'
import { toError } from '../errors.ts'
import { main as start } from '../main.ts'
import { createQuickJsSandbox } from '../sandbox/quickjs-sandbox.ts'
import { platformModules } from '../platforms/registry.ts'
import { migrate } from '../store/migrate.ts'
import { cliVersion, commandHelp } from './command-help.ts'
import { communityUsage, runCommunityCommand } from './community-command.ts'
import { runKitsCommand } from './kits-command.ts'
import { openCliRuntime } from './open-cli-runtime.ts'
import { policyUsage, runPolicyCommand, type CliOutput } from './policy-command.ts'

const usage = `usage: policykit <command>

commands (policykit <command> --help tells more; policykit --version):
  start              migrate the database, then run the engine, the jobs and the HTTP server
  worker             run the jobs and the engine without the HTTP server (several may run)
  jobs list|retry    list queued, running and failed jobs; run a failed one again
  migrate            apply database migrations and exit
  sandbox FILE…      run each FILE as a policy block in the sandbox; one JSON line per file
  policy export      print a policy as a policy document (see policykit policy --help)
  policy import      propose a policy document as constitution.addPolicy
  policy validate    check policy documents without a database
  kits               list the starter kits
  community create   create a community with a starter kit and its admin
  community list     list the communities
  community invite   print an invite link (or a claim link for a member)
${platformModules
  .flatMap((module) =>
    Object.entries(module.commands ?? {}).map(
      ([name, command]) => `  ${`${module.name} ${name}`.padEnd(19)}${command.description}`,
    ),
  )
  .join('\n')}

configuration comes from the environment (see README.md)`

async function migrateCommand(): Promise<number> {
  const store = await openConfiguredStore(loadConfig())
  try {
    const applied = await migrate(store)
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n')
    return 0
  } finally {
    await store.close()
  }
}

const stdio: CliOutput = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
}

/** `--help` anywhere in a command with subcommands (`policykit community create --help`). */
function wantsHelp(argv: string[]): boolean {
  return argv.includes('--help') || argv.includes('-h')
}

async function run(argv: string[]): Promise<number> {
  // Subcommands with options of their own parse the rest of the line themselves.
  if (argv[0] === 'policy') {
    if (argv.length === 1 || wantsHelp(argv)) {
      process.stdout.write(`${policyUsage}\n`)
      return argv.length === 1 ? 2 : 0
    }
    return runPolicyCommand(argv.slice(1), stdio, {
      open: openCliRuntime,
      openSandbox: () => createQuickJsSandbox({ poolSize: 1 }),
    })
  }
  if (argv[0] === 'community') {
    if (argv.length === 1 || wantsHelp(argv)) {
      process.stdout.write(`${communityUsage}\n`)
      return argv.length === 1 ? 2 : 0
    }
    const config = loadConfig()
    return runCommunityCommand(argv.slice(1), stdio, {
      publicUrl: config.publicUrl,
      publicUrlSource: config.publicUrlSource,
      async openStore() {
        const store = await openConfiguredStore(config)
        await migrate(store)
        return store
      },
    })
  }
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: { help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'v' } },
  })
  const [command, ...rest] = positionals
  if (values.version) {
    process.stdout.write(`policykit ${cliVersion()}\n`)
    return 0
  }
  const help = commandHelp[(command === 'help' ? rest[0] : command) ?? '']
  if (help !== undefined && (values.help || command === 'help')) {
    process.stdout.write(`${help}\n`)
    return 0
  }
  if (values.help || command === undefined || command === 'help') {
    process.stdout.write(`${usage}\n`)
    return command === undefined && !values.help ? 2 : 0
  }
  switch (command) {
    case 'start':
      await start()
      return -1
    case 'worker': {
      const { runWorker } = await import('../worker.ts')
      await runWorker()
      return -1
    }
    case 'jobs': {
      const { runJobsCommand } = await import('./jobs-command.ts')
      return runJobsCommand(rest, stdio)
    }
    case 'migrate':
      return migrateCommand()
    case 'kits':
      return runKitsCommand(stdio)
    default: {
      const module = platformModules.find((m) => m.name === command)
      if (module?.commands) {
        const [name, ...args] = rest
        const found = name === undefined ? undefined : module.commands[name]
        if (!found) {
          const names = Object.keys(module.commands).join('|')
          process.stderr.write(`usage: policykit ${module.name} ${names}\n`)
          return 2
        }
        const config = loadConfig()
        return await found.run(args, {
          publicUrl: config.publicUrl,
          deriveKey: (purpose) => derivePlatformKey(configuredSecretKey(config), purpose),
          ...stdio,
        })
      }
      process.stderr.write(`policykit: unknown command '${command}'\n${usage}\n`)
      return 2
    }
  }
}

// `policykit kits | head` closes the pipe early; that is the reader's choice, not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') {
    process.exit(0)
  }
  throw e
})

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
