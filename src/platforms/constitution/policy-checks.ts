import { blockNames, type BlockName, type PolicyBlocks } from '../../domain/policy.ts'
import type { ActionKind } from '../../domain/action.ts'
import { AppError } from '../../errors.ts'
import type { Sandbox } from '../../sandbox/sandbox.ts'
import type { KnownTypes } from '../platform.ts'
import { findDeepNesting, maxCodeNesting } from './code-nesting.ts'

/** A block of policy code that does not parse. */
export interface PolicySyntaxError {
  block: BlockName
  /** 1-based line within the block, when the parser says. */
  line: number | null
  message: string
}

const tooDeep = `nested too deeply (more than ${maxCodeNesting} levels of brackets, braces or parentheses)`

/**
 * Compiles one block, running none of it. Code nested past `maxCodeNesting` is a syntax error
 * before it reaches the parser; the host's stack overflowing in the parser all the same (a
 * long chain of `!` or `?:`) is one too, and the sandbox retires the instance it happened in.
 */
async function compileBlock(sandbox: Sandbox, block: BlockName, code: string): Promise<PolicySyntaxError | null> {
  const deepLine = findDeepNesting(code)
  if (deepLine !== null) {
    return { block, line: deepLine, message: tooDeep }
  }
  try {
    const error = await sandbox.compile(block, code)
    return error && { block, line: error.line ?? null, message: error.message }
  } catch (e) {
    if (e instanceof RangeError) {
      return { block, line: null, message: 'nested too deeply to compile' }
    }
    throw e
  }
}

/** Compiles each non-empty block in the sandbox, running none of it: the syntax errors found. */
export async function findSyntaxErrors(sandbox: Sandbox, blocks: Partial<PolicyBlocks>): Promise<PolicySyntaxError[]> {
  const errors: PolicySyntaxError[] = []
  for (const block of blockNames) {
    const code = blocks[block]
    if (code === undefined || code.trim() === '') {
      continue
    }
    const error = await compileBlock(sandbox, block, code)
    if (error) {
      errors.push(error)
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
