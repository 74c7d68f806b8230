import { useState } from 'react'
import type { InviteJson, MemberJson, RoleJson } from '../../../src/server/presenters.ts'
import { localPlatform } from '../../../src/domain/user.ts'
import { useApp, useCommunity } from '../app-context.ts'
import { CopyField } from '../components/copy-field.tsx'
import { Link } from '../components/link.tsx'
import { ResourceTable } from '../components/resource-table.tsx'
import { usePageTitle } from '../use-page-title.ts'
import { useResource } from '../use-resource.ts'
import { useSubmit } from '../use-submit.ts'
import { ErrorText } from '../components/error-alert.tsx'

/** `/c/:cid/members`: who is here, with which roles, and what each role may do. */
export function MembersPage() {
  usePageTitle('Members and roles')
  const { api } = useApp()
  const { community, base, can } = useCommunity()
  const membersPath = `/api/communities/${community.id}/members`
  const rolesPath = `/api/communities/${community.id}/roles`
  const members = useResource(membersPath, (signal) => api.get<MemberJson[]>(membersPath, signal))
  const roles = useResource(rolesPath, (signal) => api.get<RoleJson[]>(rolesPath, signal))
  const propose = (type: string, params = '') => `${base}/propose?type=constitution.${type}${params}`
  const mayInvite = can('manage_members')
  const [claim, setClaim] = useState<{ username: string; url: string } | null>(null)
  const claiming = useSubmit()

  /** A single-use link that gives a member without a dashboard login (imported, or made by the CLI) one. */
  async function makeClaimLink(member: MemberJson) {
    await claiming.run(async () => {
      setClaim(null)
      const invite = await api.post<InviteJson>(`/api/communities/${community.id}/invites`, { member: member.username })
      setClaim({ username: member.username, url: invite.url ?? '' })
    })
  }

  return (
    <>
      <h1>Members and roles</h1>
      <section aria-labelledby="members-heading">
        <h2 id="members-heading">Members</h2>
        <p className="actions">
          <Link href={propose('assignRole')} className="button">
            Propose role change
          </Link>
        </p>
        <ErrorText text={claiming.error} />
        {claim && (
          <CopyField
            id="claim-link"
            label={`Sign-in link for ${claim.username} (works once, for 7 days: they make their dashboard login with it)`}
            value={claim.url}
          />
        )}
        <ResourceTable
          resource={members}
          className="stacked"
          columns={['Username', 'Display name', 'Roles', 'Platforms']}
          row={(m) => (
            <tr key={m.id}>
              <th scope="row">{m.username}</th>
              <td data-label="Display name">{m.displayName}</td>
              <td data-label="Roles">{m.roles.join(', ')}</td>
              <td data-label="Platforms">{m.platforms.join(', ')}</td>
              <td className="row-actions">
                <Link href={propose('assignRole', `&memberId=${m.id}`)}>
                  Give a role<span className="visually-hidden"> to {m.username}</span>
                </Link>
                <Link href={propose('unassignRole', `&memberId=${m.id}`)}>
                  Take a role<span className="visually-hidden"> from {m.username}</span>
                </Link>
                {m.id !== community.me.memberId && (
                  <Link href={propose('removeMember', `&memberId=${m.id}`)}>
                    Remove<span className="visually-hidden"> {m.username} from the community</span>
                  </Link>
                )}
                {mayInvite && !m.platforms.includes(localPlatform) && (
                  <button
                    type="button"
                    className="button-link"
                    onClick={() => void makeClaimLink(m)}
                    disabled={claiming.busy}
                  >
                    Sign-in link<span className="visually-hidden"> for {m.username}</span>
                  </button>
                )}
              </td>
            </tr>
          )}
        />
      </section>
      <section aria-labelledby="roles-heading">
        <h2 id="roles-heading">Roles</h2>
        <p className="actions">
          <Link href={propose('addRole')} className="button">
            Propose a new role
          </Link>
        </p>
        <ResourceTable
          resource={roles}
          className="stacked"
          columns={['Role', 'Description', 'Permissions']}
          row={(r) => (
            <tr key={r.id}>
              <th scope="row">
                {r.name}
                {r.isDefault && <span className="tag">default</span>}
              </th>
              <td data-label="Description">{r.description}</td>
              <td data-label="Permissions">
                {r.permissions.length === 0 ? (
                  <span className="muted">none</span>
                ) : (
                  <ul className="plain-list">
                    {r.permissions.map((p) => (
                      <li key={p}>
                        <code>{p}</code>
                      </li>
                    ))}
                  </ul>
                )}
              </td>
              <td className="row-actions">
                <Link href={propose('changeRole', `&roleId=${r.id}`)}>
                  Change<span className="visually-hidden"> role {r.name}</span>
                </Link>
                {!r.isDefault && (
                  <Link href={propose('removeRole', `&roleId=${r.id}`)}>
                    Remove<span className="visually-hidden"> role {r.name}</span>
                  </Link>
                )}
              </td>
            </tr>
          )}
        />
      </section>
    </>
  )
}
