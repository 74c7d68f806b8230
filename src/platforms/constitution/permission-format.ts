import { AppError } from '../../errors.ts'
import type { KnownTypes } from '../platform.ts'

const plainPermissions = new Set(['vote', 'manage_members', 'manage_integrations', 'view_logs'])

/** Why a permission string is not one PolicyKit grants, or null when it is. */
export function permissionProblem(permission: string, known: KnownTypes): string | null {
  if (plainPermissions.has(permission)) {
    return null
  }
  const match = /^(propose|execute):(.+)$/.exec(permission)
  const target = match?.[2]
  if (target === undefined) {
    return `'${permission}' is not a permission (use propose:<type>, execute:<type>, vote, manage_members, manage_integrations or view_logs)`
  }
  if (target === '*' || known.actions.has(target)) {
    return null
  }
  if (target.endsWith('.*')) {
    const platform = target.slice(0, -2)
    return [...known.actions].some((type) => type.startsWith(`${platform}.`))
      ? null
      : `'${permission}': there is no platform named '${platform}'`
  }
  return `'${permission}': unknown action type '${target}'`
}

/** Throws `invalid_input` naming every permission that is not well formed. */
export function checkPermissions(permissions: readonly string[], known: KnownTypes): void {
  const problems = permissions.flatMap((p) => permissionProblem(p, known) ?? [])
  if (problems.length > 0) {
    throw new AppError('invalid_input', `invalid permissions: ${problems.join('; ')}`)
  }
}
