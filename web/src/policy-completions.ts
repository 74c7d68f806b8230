import type { Completion, CompletionContext, CompletionResult, CompletionSource } from '@codemirror/autocomplete'
import { syntaxTree } from '@codemirror/language'
import { membersAt, policyScope, type PolicyApiEntry } from './policy-api.ts'

const completionType: Record<PolicyApiEntry['kind'], string> = {
  variable: 'variable',
  property: 'property',
  method: 'method',
  function: 'function',
  constant: 'constant',
  namespace: 'namespace',
}

function toCompletion(entry: PolicyApiEntry): Completion {
  return { label: entry.name, type: completionType[entry.kind], detail: entry.detail, info: entry.doc }
}

const notCode = new Set(['String', 'TemplateString', 'LineComment', 'BlockComment'])

/**
 * Completes the policy API: the names in scope, and after `name.` (or `a.b.`) their members.
 * `variableNames` is read at each completion, so it follows edits of the policy's variables.
 */
export function policyCompletions(variableNames: () => string[]): CompletionSource {
  return (context: CompletionContext): CompletionResult | null => {
    if (notCode.has(syntaxTree(context.state).resolveInner(context.pos, -1).name)) {
      return null
    }
    const match = context.matchBefore(/(?:[A-Za-z_$][\w$]*\s*\.\s*)*[\w$]*$/)
    if (!match) {
      return null
    }
    const parts = match.text.split('.').map((part) => part.trim())
    const word = parts.pop() ?? ''
    if (parts.length === 0 && word === '' && !context.explicit) {
      return null
    }
    const entries = membersAt(policyScope(variableNames()), parts)
    if (!entries) {
      return null
    }
    return {
      from: context.pos - word.length,
      options: entries.map(toCompletion),
      validFor: /^[\w$]*$/,
    }
  }
}
