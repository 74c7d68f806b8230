// The CLI's entry. `policykit sandbox` is run again and again while a policy is written, so it
// loads only the sandbox and its command, not the store, the server and every platform.
import { toError } from '../errors.ts'

if (process.argv[2] === 'sandbox') {
  const { runSandboxCommand } = await import('./sandbox-command.ts')
  runSandboxCommand(process.argv.slice(3), {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  }).then(
    (code) => {
      process.exitCode = code
    },
    (e: unknown) => {
      process.stderr.write(`policykit: ${toError(e).message}\n`)
      process.exitCode = 1
    },
  )
} else {
  await import('./cli.ts')
}
