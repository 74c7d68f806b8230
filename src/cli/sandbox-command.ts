import { readFile } from 'node:fs/promises'
import { toError } from '../errors.ts'
import { createQuickJsSandbox } from '../sandbox/quickjs-sandbox.ts'
import type { HostFunction, Sandbox, SandboxResult } from '../sandbox/sandbox.ts'

const globals = { PASSED: 'passed', FAILED: 'failed', PROPOSED: 'proposed' }

function loggerFunctions(file: string): Record<string, HostFunction> {
  const functions: Record<string, HostFunction> = {}
  for (const level of ['debug', 'info', 'warn', 'error']) {
    functions[`logger.${level}`] = (...args) => {
      process.stderr.write(`${JSON.stringify({ file, level, args })}\n`)
      return undefined
    }
  }
  return functions
}

/**
 * One output line. A run whose value is `undefined` gets `"value": null`, so every successful
 * line has the same keys; a failure carries `line` only when QuickJS reported one.
 */
function describe(file: string, result: SandboxResult): string {
  if (result.ok) {
    return JSON.stringify({ file, ok: true, value: result.value ?? null })
  }
  const { kind, message, line } = result.error
  const error = line === undefined ? { kind, message } : { kind, message, line }
  return JSON.stringify({ file, ok: false, error })
}

/**
 * `policykit sandbox FILE…`: runs each file as a policy block body, one after the other, each
 * in its own fresh context of one sandbox pool. Returns 2 when a file could not be read (the
 * others still run), else 0: a policy's own error is a result, not a failure of the command.
 */
export async function runSandboxCommand(
  files: string[],
  write: (line: string) => void,
  sandbox?: Sandbox,
): Promise<number> {
  const pool = sandbox ?? (await createQuickJsSandbox({ poolSize: 1 }))
  let status = 0
  try {
    for (const file of files) {
      let code: string
      try {
        code = await readFile(file, 'utf8')
      } catch (e) {
        const message = toError(e).message
        write(JSON.stringify({ file, ok: false, error: { kind: 'io', message } }))
        status = 2
        continue
      }
      const result = await pool.run({
        block: file,
        code,
        globals,
        functions: loggerFunctions(file),
      })
      write(describe(file, result))
    }
  } finally {
    if (sandbox === undefined) {
      await pool.close()
    }
  }
  return status
}
