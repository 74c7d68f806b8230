import { readFile, writeFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { parsePolicyDocument, toPolicyDocument, type PolicyDocument } from '../domain/policy-document.ts'
import type { Engine, ProposeOutcome } from '../engine/engine.ts'
import { AppError, isAppError, toError } from '../errors.ts'
import { checkJsonDepth } from '../domain/json-depth.ts'
import { addPolicyType, checkBlockSyntax, proposePolicyImport } from '../policy-import.ts'
import type { Sandbox } from '../sandbox/sandbox.ts'
import type { Store } from '../store/store.ts'

/** Where a command writes: stdout for results, stderr for problems. */
export interface CliOutput {
  out(text: string): void
  err(text: string): void
}

/** What the database-backed subcommands need; the CLI opens them from config, tests pass their own. */
export interface PolicyCommandRuntime {
  store: Store
  engine: Engine
  sandbox: Sandbox
  close(): Promise<void>
}

export const policyUsage = `usage:
  policykit policy export --community ID --policy ID [--out FILE]
      print the policy as a policy document (pretty JSON), or write it to FILE
  policykit policy import --community ID --as USERNAME FILE [--activate]
      validate FILE and propose constitution.addPolicy as USERNAME; the community's
      constitution policies decide whether it is added (nothing bypasses them)
  policykit policy validate FILE…
      check policy documents (format, variables, block syntax) without a database`

export async function exportPolicy(store: Store, communityId: number, policyId: number): Promise<PolicyDocument> {
  const policy = await store.policies.get(communityId, policyId)
  if (!policy) {
    throw new AppError('not_found', `policy ${policyId} not found in community ${communityId}`)
  }
  return toPolicyDocument(policy)
}

/** Reads and parses a policy document file; every problem is reported with the file name. */
export async function readPolicyFile(file: string): Promise<PolicyDocument> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (e) {
    throw new AppError('invalid_input', `${file}: ${toError(e).message}`)
  }
  checkJsonDepth(text, file)
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    throw new AppError('invalid_input', `${file}: not JSON: ${toError(e).message}`)
  }
  try {
    return parsePolicyDocument(json)
  } catch (e) {
    throw isAppError(e) ? new AppError('invalid_input', `${file}: ${e.message}`) : e
  }
}

export interface ImportInput {
  communityId: number
  /** The member the import is proposed as. */
  username: string
  document: PolicyDocument
  activate: boolean
}

/** `proposePolicyImport` as the member named `username`, after checking the community and member exist. */
export async function importPolicy(runtime: Omit<PolicyCommandRuntime, 'close'>, input: ImportInput) {
  if (!(await runtime.store.communities.get(input.communityId))) {
    throw new AppError('not_found', `community ${input.communityId} not found`)
  }
  const member = await runtime.store.members.getByUsername(input.communityId, input.username)
  if (!member) {
    throw new AppError('not_found', `no member '${input.username}' in community ${input.communityId}`)
  }
  return proposePolicyImport(runtime, {
    communityId: input.communityId,
    initiatorId: member.id,
    document: input.document,
    activate: input.activate,
  })
}

/** One line about what became of the import; `ok` is false when it was refused. */
export function describeImport(name: string, outcome: ProposeOutcome): { ok: boolean; text: string } {
  const action = `action ${outcome.action.id}`
  switch (outcome.status) {
    case 'executed':
      return { ok: true, text: `policy '${name}' added at once (${action}): the member may execute ${addPolicyType}` }
    case 'passed':
      return { ok: true, text: `policy '${name}' added: proposal ${outcome.proposal.id} passed (${action})` }
    case 'proposed': {
      const vote = outcome.proposal.voteUrl ? `; vote at ${outcome.proposal.voteUrl}` : ''
      return {
        ok: true,
        text: `policy '${name}' proposed: proposal ${outcome.proposal.id} is pending (${action})${vote}`,
      }
    }
    case 'failed':
      return { ok: false, text: `policy '${name}' not added: proposal ${outcome.proposal.id} failed (${action})` }
    case 'errored':
      return {
        ok: false,
        text: `policy '${name}' not added: the governing policy raised an error (proposal ${outcome.proposal.id}; see its evaluation log)`,
      }
    case 'forbidden':
      return { ok: false, text: `policy '${name}' not added: ${outcome.reason}` }
    case 'ungoverned':
      return {
        ok: false,
        text: `policy '${name}' not added: no constitution policy governs ${addPolicyType} in this community (${action})`,
      }
    case 'duplicate':
      return { ok: false, text: `policy '${name}' was already proposed (${action})` }
  }
}

function positiveInt(name: string, value: string | undefined): number {
  const n = Number(value)
  if (value === undefined || !Number.isSafeInteger(n) || n <= 0) {
    throw new AppError('invalid_input', `--${name} must be a positive integer id`)
  }
  return n
}

function pretty(doc: PolicyDocument): string {
  return `${JSON.stringify(doc, null, 2)}\n`
}

async function validateFiles(files: string[], sandbox: Sandbox, io: CliOutput): Promise<number> {
  let status = 0
  for (const file of files) {
    try {
      const doc = await readPolicyFile(file)
      const syntax = await checkBlockSyntax(sandbox, doc)
      if (syntax.length > 0) {
        io.err(`${file}: syntax errors:\n  ${syntax.join('\n  ')}\n`)
        status = 1
        continue
      }
      io.out(`${file}: ok (${doc.kind} policy '${doc.name}')\n`)
    } catch (e) {
      if (!isAppError(e, 'invalid_input')) {
        throw e
      }
      io.err(`${e.message}\n`)
      status = 1
    }
  }
  return status
}

/**
 * `policykit policy …`. Returns the exit status: 0 done (an import that is pending counts),
 * 1 refused or invalid, 2 a usage error. `open` gives the database-backed runtime; `openSandbox`
 * the sandbox alone, for `validate`.
 */
export async function runPolicyCommand(
  argv: string[],
  io: CliOutput,
  deps: { open: () => Promise<PolicyCommandRuntime>; openSandbox: () => Promise<Sandbox> },
): Promise<number> {
  const [sub, ...args] = argv
  let parsed
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        community: { type: 'string' },
        policy: { type: 'string' },
        out: { type: 'string' },
        as: { type: 'string' },
        activate: { type: 'boolean', default: false },
      },
    })
  } catch (e) {
    io.err(`policykit policy: ${toError(e).message}\n${policyUsage}\n`)
    return 2
  }
  const { values, positionals } = parsed
  const usageError = (message: string) => {
    io.err(`policykit policy ${sub ?? ''}: ${message}\n${policyUsage}\n`)
    return 2
  }
  if (sub === undefined) {
    return usageError('name a subcommand')
  }
  try {
    switch (sub) {
      case 'export': {
        if (positionals.length > 0) {
          return usageError(`unexpected ${positionals.join(' ')}`)
        }
        const communityId = positiveInt('community', values.community)
        const policyId = positiveInt('policy', values.policy)
        const runtime = await deps.open()
        try {
          const doc = await exportPolicy(runtime.store, communityId, policyId)
          if (values.out) {
            await writeFile(values.out, pretty(doc))
            io.err(`wrote policy '${doc.name}' to ${values.out}\n`)
          } else {
            io.out(pretty(doc))
          }
          return 0
        } finally {
          await runtime.close()
        }
      }
      case 'import': {
        const [file, ...extra] = positionals
        if (file === undefined || extra.length > 0) {
          return usageError('name exactly one FILE')
        }
        if (!values.as) {
          return usageError('--as USERNAME is required: an import is proposed by a member')
        }
        const communityId = positiveInt('community', values.community)
        const document = await readPolicyFile(file)
        const runtime = await deps.open()
        try {
          const outcome = await importPolicy(runtime, {
            communityId,
            username: values.as,
            document,
            activate: values.activate,
          })
          const { ok, text } = describeImport(document.name, outcome)
          if (ok) {
            io.out(`${text}\n`)
          } else {
            io.err(`${text}\n`)
          }
          return ok ? 0 : 1
        } finally {
          await runtime.close()
        }
      }
      case 'validate': {
        if (positionals.length === 0) {
          return usageError('name at least one FILE')
        }
        const sandbox = await deps.openSandbox()
        try {
          return await validateFiles(positionals, sandbox, io)
        } finally {
          await sandbox.close()
        }
      }
      default:
        return usageError(`unknown subcommand '${sub}'`)
    }
  } catch (e) {
    // Refusals a user can act on are printed plainly; anything else is a bug and propagates.
    if (isAppError(e, 'invalid_input') || isAppError(e, 'not_found') || isAppError(e, 'forbidden')) {
      io.err(`policykit policy ${sub}: ${e.message}\n`)
      return 1
    }
    throw e
  }
}
