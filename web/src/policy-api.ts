import type { PolicyNameJson, PolicyScopeJson } from '../../src/server/presenters.ts'

/**
 * The names in scope while editing one policy: what the server declares (`GET …/policy-api`,
 * made from the platforms it runs), its action types' own fields under `action.`, and its
 * variables under `variables.`.
 */
export function policyNames(scope: PolicyScopeJson, actionTypes: string[], variableNames: string[]): PolicyNameJson[] {
  const fields = new Map<string, PolicyNameJson>()
  for (const type of scope.actionTypes) {
    if (actionTypes.includes(type.type)) {
      for (const field of type.fields) {
        fields.set(field.path, field)
      }
    }
  }
  const known = new Set(scope.names.map((n) => n.path))
  return [
    ...scope.names,
    ...[...fields.values()].filter((f) => !known.has(f.path)),
    ...variableNames.map((v): PolicyNameJson => ({
      path: `variables.${v}`,
      kind: 'property',
      detail: 'variable',
      doc: `The policy variable ${v}.`,
    })),
  ]
}

/** What can follow a dotted path (`proposal.data` → get, set, remove); undefined when nothing is known there. */
export function membersAt(names: PolicyNameJson[], path: string[]): PolicyNameJson[] | undefined {
  const prefix = path.length === 0 ? '' : `${path.join('.')}.`
  const depth = path.length + 1
  const found = names.filter((n) => n.path.startsWith(prefix) && n.path.split('.').length === depth)
  return found.length > 0 ? found : undefined
}

/** A name's last segment: what the completion inserts. */
export function lastSegment(name: PolicyNameJson): string {
  return name.path.slice(name.path.lastIndexOf('.') + 1)
}
