import { AppError, isAppError } from '../errors.ts'
import { parseKit, type Kit, type KitRole } from './kit.ts'
import { getKit } from './list-kits.ts'

/**
 * Given to whoever founds a community, on top of what the kit gives its creator: by the web
 * set-up and by `policykit community create` alike, so either founder can invite members.
 */
export const adminRole: KitRole = {
  name: 'Admin',
  description: 'Set up the community: invites members, proposes removing one, manages integrations, reads logs.',
  permissions: ['manage_members', 'manage_integrations', 'view_logs', 'propose:constitution.removeMember'],
  isDefault: false,
  grantTo: 'creator',
}

/** The kit with the Admin role added (parsed again, so a kit that already has one is refused). */
export function withAdminRole(kitName: string): Kit {
  let kit: Kit
  try {
    kit = getKit(kitName)
  } catch (e) {
    throw isAppError(e, 'not_found') ? new AppError('invalid_input', e.message, { cause: e }) : e
  }
  return parseKit({ ...kit, roles: [...kit.roles, adminRole] })
}
