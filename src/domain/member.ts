/** A person in one community; one account per platform, linked to the same member. */
export interface Member {
  id: number
  communityId: number
  username: string
  displayName: string
  createdAt: number
}

export interface Account {
  id: number
  communityId: number
  memberId: number
  platform: string
  /** The platform's own id for the user (Slack `U…`, Discord snowflake, …). */
  externalId: string
  username: string
}

/**
 * Permissions are `propose:<action type>`, `execute:<action type>`, `vote:<policy name>` (or
 * `vote`), `manage_members` (invite members), `manage_integrations` and `view_logs`.
 * `propose:*` / `execute:*` match any type, `propose:slack.*` any type of one platform.
 */
export type Permission = string

export interface Role {
  id: number
  communityId: number
  name: string
  description: string
  permissions: Permission[]
  isDefault: boolean
}

export function permissionMatches(granted: Permission, wanted: Permission): boolean {
  if (granted === wanted) {
    return true
  }
  if (!granted.endsWith('*')) {
    return false
  }
  return wanted.startsWith(granted.slice(0, -1))
}

export function hasPermission(permissions: Iterable<Permission>, wanted: Permission): boolean {
  for (const granted of permissions) {
    if (permissionMatches(granted, wanted)) {
      return true
    }
  }
  return false
}
