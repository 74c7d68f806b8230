import type { Completion, CompletionContext, CompletionResult, CompletionSource } from '@codemirror/autocomplete'
import { syntaxTree } from '@codemirror/language'
import type { PolicyNameJson } from '../../src/server/presenters.ts'
import { lastSegment, membersAt } from './policy-api.ts'

function toCompletion(name: PolicyNameJson): Completion {
  return { label: lastSegment(name), type: name.kind, detail: name.detail, info: name.doc }
}

const notCode = new Set(['String', 'TemplateString', 'LineComment', 'BlockComment'])

/**
 * Completes the policy API: the names in scope, and after `name.` (or `a.b.`) their members.
 * `names` is read at each completion, so it follows edits of the policy's types and variables.
 */
export function policyCompletions(names: () => PolicyNameJson[]): CompletionSource {
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
    const entries = membersAt(names(), parts)
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
