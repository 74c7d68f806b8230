import type { CommunityJson, DocumentJson, RoleJson } from '../../src/server/presenters.ts'
import type { ApiClient } from './api.ts'

/**
 * Starting values for a change action, so a change starts from what is there now: the document's
 * text, the role's permissions, the community's settings. `preset` (from the URL) names the
 * object (`documentId`, `roleId`) and wins over what is loaded.
 */
export async function loadPrefill(
  api: ApiClient,
  community: CommunityJson,
  type: string,
  preset: Record<string, string>,
  signal: AbortSignal,
): Promise<Record<string, string>> {
  const base = `/api/communities/${community.id}`
  let loaded: Record<string, string> = {}
  if (type === 'constitution.changeDocument' && preset['documentId']) {
    const d = await api.get<DocumentJson>(`${base}/documents/${preset['documentId']}`, signal)
    loaded = { name: d.name, text: d.text }
  } else if (type === 'constitution.changeRole' && preset['roleId']) {
    const role = (await api.get<RoleJson[]>(`${base}/roles`, signal)).find((r) => String(r.id) === preset['roleId'])
    if (role) {
      loaded = { name: role.name, description: role.description, permissions: role.permissions.join('\n') }
    }
  } else if (type === 'constitution.changeSettings') {
    const sweep = community.settings['sweepSeconds']
    loaded = { name: community.name, ...(typeof sweep === 'number' && { sweepSeconds: String(sweep) }) }
  }
  return { ...loaded, ...preset }
}
