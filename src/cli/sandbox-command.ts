import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { z } from 'zod'
import { loadConfig } from '../config.ts'
import type { JsonObject, JsonValue } from '../domain/json.ts'
import { toError } from '../errors.ts'
import { createQuickJsSandbox } from '../sandbox/quickjs-sandbox.ts'
import type { HostFunction, Sandbox, SandboxResult } from '../sandbox/sandbox.ts'
import type { CliOutput } from './policy-command.ts'
import { sampleProposal, sampleProposalSchema } from './sample-proposal.ts'

export const sandboxUsage = `usage: policykit sandbox [options] FILE…

Runs each FILE as the body of a policy block, one after another, in the sandbox the server uses
(same worker pool and limits), and prints one JSON line per file.

options:
  --action JSON      the action in scope, e.g. '{"type":"slack.postMessage","text":"hi",
                     "initiator":{"username":"ada","roles":["Admin"]}}'
  --proposal JSON    a sample proposal: '{"votes":[{"username":"ada","value":true}],"data":{}}'
                     (votes by memberId or username; value true/false, a choice or a number);
                     proposal.getYesVotes() and the others answer from it, and the output line
                     shows proposal.data after the run
  --variables JSON   the policy's variables by name, e.g. '{"quorum":3}'`

const jsonObject = z.record(z.string(), z.json())

const initiator = z
  .object({
    id: z.number().int().default(1),
    username: z.string().default('member'),
    displayName: z.string().optional(),
    platform: z.string().default('policykit'),
    roles: z.array(z.string()).default([]),
  })
  .catchall(z.json())

const sampleAction = z
  .object({
    id: z.number().int().default(1),
    kind: z.enum(['platform', 'constitution', 'trigger']).default('platform'),
    type: z.string().default('test.action'),
    initiator: initiator.nullable().default(null),
  })
  .catchall(z.json())

/** Parses one flag's JSON with its schema; the error names the flag. */
function parseFlag<S extends z.ZodType>(flag: string, text: string | undefined, schema: S): z.output<S> | undefined {
  if (text === undefined) {
    return undefined
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (e) {
    throw new FlagError(`--${flag} is not valid JSON: ${toError(e).message}`)
  }
  const parsed = schema.safeParse(value)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`)
    throw new FlagError(`--${flag}: ${problems.join('; ')}`)
  }
  return parsed.data
}

class FlagError extends Error {}

function loggerFunctions(file: string, io: CliOutput): Record<string, HostFunction> {
  const functions: Record<string, HostFunction> = {}
  for (const level of ['debug', 'info', 'warn', 'error']) {
    functions[`logger.${level}`] = (...args) => {
      io.err(`${JSON.stringify({ file, level, args })}\n`)
      return undefined
    }
  }
  return functions
}

/**
 * One output line. A run whose value is `undefined` gets `"value": null`, so every successful
 * line has the same keys; a failure carries `line` only when QuickJS reported one.
 */
function describe(file: string, result: SandboxResult, data: JsonObject | undefined): string {
  const extra = data === undefined ? {} : { data }
  if (result.ok) {
    return JSON.stringify({ file, ok: true, value: result.value ?? null, ...extra })
  }
  const { kind, message, line } = result.error
  const error = line === undefined ? { kind, message } : { kind, message, line }
  return JSON.stringify({ file, ok: false, error, ...extra })
}

interface Scope {
  action: z.output<typeof sampleAction>
  proposal: z.output<typeof sampleProposalSchema> | undefined
  variables: JsonObject
}

function parseScope(values: { action?: string; proposal?: string; variables?: string }): Scope {
  return {
    action: parseFlag('action', values.action, sampleAction) ?? sampleAction.parse({}),
    proposal: parseFlag('proposal', values.proposal, sampleProposalSchema),
    variables: parseFlag('variables', values.variables, jsonObject) ?? {},
  }
}

/**
 * `policykit sandbox [--action JSON] [--proposal JSON] [--variables JSON] FILE…`: runs each file
 * as a policy block body, one after the other, through one sandbox pool (the server's kind),
 * with the action, sample proposal and variables given. Returns 2 for bad arguments or when a
 * file could not be read (the others still run), else 0: a policy's own error is a result, not
 * a failure of the command.
 */
export async function runSandboxCommand(argv: string[], io: CliOutput, sandbox?: Sandbox): Promise<number> {
  let files: string[]
  let scope: Scope
  try {
    const { positionals, values } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        action: { type: 'string' },
        proposal: { type: 'string' },
        variables: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    })
    if (values.help === true) {
      io.out(`${sandboxUsage}\n`)
      return 0
    }
    files = positionals
    scope = parseScope(values)
  } catch (e) {
    io.err(`policykit sandbox: ${toError(e).message}\n`)
    return 2
  }
  if (files.length === 0) {
    io.err(`policykit sandbox: name at least one FILE\n${sandboxUsage}\n`)
    return 2
  }
  const pool = sandbox ?? (await createQuickJsSandbox({ poolSize: 1, limits: { wallMs: loadConfig().sandboxBlockMs } }))
  let status = 0
  try {
    for (const file of files) {
      let code: string
      try {
        code = await readFile(file, 'utf8')
      } catch (e) {
        const message = toError(e).message
        io.out(`${JSON.stringify({ file, ok: false, error: { kind: 'io', message } })}\n`)
        status = 2
        continue
      }
      const now = Date.now()
      const { action, variables } = scope
      const functions = loggerFunctions(file, io)
      const globals: Record<string, JsonValue> = { PASSED: 'passed', FAILED: 'failed', PROPOSED: 'proposed', variables }
      globals['action'] = { platform: action.type.split('.')[0] ?? '', createdAt: now, ...action }
      const roles = new Set(action.initiator?.roles ?? [])
      if (action.initiator !== null) {
        functions['action.initiator.hasRole'] = (name) => typeof name === 'string' && roles.has(name)
      }
      const proposal = scope.proposal === undefined ? undefined : sampleProposal(scope.proposal, now)
      if (proposal !== undefined) {
        globals['proposal'] = proposal.global
        Object.assign(functions, proposal.functions)
      }
      const result = await pool.run({ block: file, code, globals, functions, now })
      io.out(`${describe(file, result, proposal?.data)}\n`)
    }
  } finally {
    if (sandbox === undefined) {
      await pool.close()
    }
  }
  return status
}
