import type { JsonObject } from './domain/json.ts'
import type { PolicyDocument } from './domain/policy-document.ts'
import type { Engine, ProposeOutcome } from './engine/engine.ts'
import { AppError } from './errors.ts'
import { findSyntaxErrors } from './platforms/constitution/policy-checks.ts'
import type { Sandbox } from './sandbox/sandbox.ts'

/** The constitution action an import proposes. */
export const addPolicyType = 'constitution.addPolicy'

/** Syntax errors in the document's blocks, as `<block>, line N: message`; nothing is run. */
export async function checkBlockSyntax(sandbox: Sandbox, doc: PolicyDocument): Promise<string[]> {
  const errors = await findSyntaxErrors(sandbox, doc.blocks)
  return errors.map((e) => `${e.line === null ? e.block : `${e.block}, line ${e.line}`}: ${e.message}`)
}

/** The params of the `constitution.addPolicy` an import proposes: the document, and whether it starts active. */
export function addPolicyParams(doc: PolicyDocument, activate: boolean): JsonObject {
  return { ...doc, active: activate }
}

export interface PolicyImport {
  communityId: number
  /** The member who proposes it. */
  initiatorId: number
  document: PolicyDocument
  activate: boolean
}

/**
 * Imports a policy into a live community the only way policies change: by proposing
 * `constitution.addPolicy` as a member, which the community's constitution policies govern.
 * The CLI (`policykit policy import`) and the API (`POST /policies/import`) both come here.
 */
export async function proposePolicyImport(
  deps: { engine: Engine; sandbox: Sandbox },
  input: PolicyImport,
): Promise<ProposeOutcome> {
  const syntax = await checkBlockSyntax(deps.sandbox, input.document)
  if (syntax.length > 0) {
    throw new AppError('invalid_input', `policy '${input.document.name}' has syntax errors:\n  ${syntax.join('\n  ')}`)
  }
  return deps.engine.propose({
    communityId: input.communityId,
    type: addPolicyType,
    params: addPolicyParams(input.document, input.activate),
    initiatorId: input.initiatorId,
    origin: 'policykit',
  })
}
