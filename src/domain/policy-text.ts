import { blockNames, type PolicyBlocks } from './policy.ts'

/**
 * A policy as lines, field after field and block after block, so a line diff shows what changes
 * where: the server's diff of a proposed change and the dashboard's diff of two versions alike.
 */
export function policyText(policy: {
  name: string
  description: string
  kind: string
  actionTypes: readonly string[]
  priority: number
  variables: readonly unknown[]
  blocks: PolicyBlocks
}): string {
  const lines = [
    `name: ${policy.name}`,
    `description: ${policy.description}`,
    `kind: ${policy.kind}`,
    `action types: ${policy.actionTypes.join(', ')}`,
    `priority: ${policy.priority}`,
    `variables: ${JSON.stringify(policy.variables, null, 2)}`,
  ]
  for (const name of blockNames) {
    lines.push(`// ${name} block`, policy.blocks[name])
  }
  return `${lines.join('\n')}\n`
}
