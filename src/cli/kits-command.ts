import { listKits } from '../kits/list-kits.ts'
import type { CliOutput } from './policy-command.ts'

/** `policykit kits`: each starter kit with its roles and policies. */
export function runKitsCommand(io: CliOutput): number {
  for (const kit of listKits()) {
    const roles = kit.roles
      .map((r) => `${r.name}${r.isDefault ? ' (default)' : ''}${r.grantTo ? ` → ${r.grantTo}` : ''}`)
      .join(', ')
    io.out(`${kit.name}: ${kit.title}\n  ${kit.description}\n  roles: ${roles}\n`)
    for (const policy of kit.policies) {
      io.out(`  ${policy.kind} policy: ${policy.name}\n`)
    }
  }
  return 0
}
