import { blockNames, type BlockName, type PolicyBlocks } from '../../domain/policy.ts'
import type { ActionKind } from '../../domain/action.ts'
import { AppError } from '../../errors.ts'
import type { Sandbox } from '../../sandbox/sandbox.ts'
import type { KnownTypes } from '../platform.ts'

/** A block of policy code that does not parse. */
export interface PolicySyntaxError {
  block: BlockName
  /** 1-based line within the block, when the parser says. */
  line: number | null
  message: string
}

/** Compiles each non-empty block in the sandbox, running none of it: the syntax errors found. */
export async function findSyntaxErrors(sandbox: Sandbox, blocks: Partial<PolicyBlocks>): Promise<PolicySyntaxError[]> {
  const errors: PolicySyntaxError[] = []
  for (const block of blockNames) {
    const code = blocks[block]
    if (code === undefined || code.trim() === '') {
      continue
    }
    const error = await sandbox.compile(block, code)
    if (error) {
      errors.push({ block, line: error.line ?? null, message: error.message })
    }
  }
  return errors
}

/**
 * Refuses (`invalid_input`) blocks that do not parse, naming the block and line. The code is
 * compiled in the sandbox and never run.
 */
export async function checkPolicyCode(sandbox: Sandbox, blocks: Partial<PolicyBlocks>): Promise<void> {
  const problems = (await findSyntaxErrors(sandbox, blocks)).map(
    (e) => `${e.block} block${e.line === null ? '' : `, line ${e.line}`}: ${e.message}`,
  )
  if (problems.length > 0) {
    throw new AppError('invalid_input', `syntax error in the policy's code: ${problems.join('; ')}`)
  }
}

/** Refuses (`invalid_input`) types no platform the engine runs with provides. */
export function checkActionTypes(kind: ActionKind, actionTypes: readonly string[], known: KnownTypes): void {
  const pool = kind === 'trigger' ? known.triggers : known.actions
  const unknown = actionTypes.filter((type) => !pool.has(type))
  if (unknown.length > 0) {
    const what = kind === 'trigger' ? 'trigger type' : 'action type'
    throw new AppError(
      'invalid_input',
      `actionTypes: unknown ${what}${unknown.length > 1 ? 's' : ''} ${unknown.map((t) => `'${t}'`).join(', ')}`,
    )
  }
}
