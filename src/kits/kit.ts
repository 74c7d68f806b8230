import { z } from 'zod'
import { formatIssues, policyDocumentSchema } from '../domain/policy-document.ts'
import { AppError } from '../errors.ts'

/**
 * `propose:<type>`, `execute:<type>` (a type, `*`, or `<platform>.*`), `vote`, `manage_members`,
 * `manage_integrations`, `view_logs` (the constitution platform checks types exist; kits name none).
 */
const permissionPattern =
  /^(?:(?:propose|execute):(?:\*|[a-z][A-Za-z0-9]*\.(?:\*|[A-Za-z][A-Za-z0-9]*))|vote|manage_members|manage_integrations|view_logs)$/

export const permissionSchema = z
  .string()
  .regex(
    permissionPattern,
    'must be propose:<type>, execute:<type>, vote, manage_members, manage_integrations or view_logs',
  )

const kitRoleSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  description: z.string().default(''),
  permissions: z.array(permissionSchema),
  /** The role of every member who holds no other role (exactly one per kit). */
  isDefault: z.boolean().default(false),
  /** Who is given the role when the kit is applied; nobody when absent. */
  grantTo: z.enum(['creator', 'all']).optional(),
})

export const kitSchema = z
  .strictObject({
    /** The id `applyKit` and `--kit` take: lower-case, no spaces. */
    name: z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes'),
    title: z.string().min(1),
    description: z.string(),
    roles: z.array(kitRoleSchema).min(1),
    policies: z.array(policyDocumentSchema).min(1),
  })
  .superRefine((kit, ctx) => {
    const defaults = kit.roles.filter((r) => r.isDefault)
    if (defaults.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['roles'],
        message: `needs exactly one default role, has ${defaults.length}`,
      })
    }
    const roleNames = new Set<string>()
    kit.roles.forEach((role, i) => {
      if (roleNames.has(role.name)) {
        ctx.addIssue({ code: 'custom', path: ['roles', i, 'name'], message: `${role.name} is defined twice` })
      }
      roleNames.add(role.name)
    })
    const policyNames = new Set<string>()
    kit.policies.forEach((policy, i) => {
      if (policyNames.has(policy.name)) {
        ctx.addIssue({ code: 'custom', path: ['policies', i, 'name'], message: `${policy.name} is defined twice` })
      }
      policyNames.add(policy.name)
      // A role variable's default must name a role the kit creates, or the policy names nobody.
      policy.variables.forEach((v, j) => {
        if (v.type === 'role' && typeof v.default === 'string' && !roleNames.has(v.default)) {
          ctx.addIssue({
            code: 'custom',
            path: ['policies', i, 'variables', j, 'default'],
            message: `names role ${v.default}, which the kit does not create`,
          })
        }
      })
    })
  })

/** A kit as written in its data file (defaults may be left out). */
export type KitInput = z.input<typeof kitSchema>
export type Kit = z.infer<typeof kitSchema>
export type KitRole = Kit['roles'][number]

export function parseKit(data: unknown): Kit {
  const parsed = kitSchema.safeParse(data)
  if (!parsed.success) {
    throw new AppError('invalid_input', `invalid starter kit:\n  ${formatIssues(parsed.error).join('\n  ')}`)
  }
  return parsed.data
}
