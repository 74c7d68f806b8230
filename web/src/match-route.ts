/** A page of a community, under `/c/:cid`. */
export type CommunityRoute =
  | { page: 'overview' }
  | { page: 'proposals' }
  | { page: 'proposal'; id: number }
  | { page: 'propose' }
  | { page: 'policies' }
  | { page: 'policy'; id: number }
  | { page: 'newPolicy' }
  | { page: 'editPolicy'; id: number }
  | { page: 'members' }
  | { page: 'documents' }
  | { page: 'document'; id: number }
  | { page: 'logs' }
  | { page: 'settings' }
  | { page: 'metagov' }
  | { page: 'notFound' }

export type Route =
  | { page: 'home' }
  | { page: 'login' }
  | { page: 'setup' }
  | { page: 'invite'; token: string }
  | { page: 'metagovConfig' }
  | { page: 'community'; communityId: number; sub: CommunityRoute }
  | { page: 'notFound' }

function id(segment: string | undefined): number | null {
  return segment !== undefined && /^[1-9][0-9]{0,15}$/.test(segment) ? Number(segment) : null
}

/** `/c/:cid/<section>` */
const sections = new Map<string, CommunityRoute>([
  ['proposals', { page: 'proposals' }],
  ['propose', { page: 'propose' }],
  ['policies', { page: 'policies' }],
  ['members', { page: 'members' }],
  ['documents', { page: 'documents' }],
  ['logs', { page: 'logs' }],
  ['settings', { page: 'settings' }],
  ['metagov', { page: 'metagov' }],
])

/** `/c/:cid/<section>/:id` */
const items = new Map<string, (id: number) => CommunityRoute>([
  ['proposals', (id) => ({ page: 'proposal', id })],
  ['policies', (id) => ({ page: 'policy', id })],
  ['documents', (id) => ({ page: 'document', id })],
])

function matchCommunity(parts: string[]): CommunityRoute {
  const [section = '', second, third] = parts
  const secondId = id(second)
  if (parts.length === 0) {
    return { page: 'overview' }
  }
  if (parts.length === 1) {
    return sections.get(section) ?? { page: 'notFound' }
  }
  if (parts.length === 2 && section === 'policies' && second === 'new') {
    return { page: 'newPolicy' }
  }
  if (secondId === null) {
    return { page: 'notFound' }
  }
  if (parts.length === 2) {
    return items.get(section)?.(secondId) ?? { page: 'notFound' }
  }
  if (parts.length === 3 && section === 'policies' && third === 'edit') {
    return { page: 'editPolicy', id: secondId }
  }
  return { page: 'notFound' }
}

/** Which page a path shows (the dashboard URLs of the API contract). */
export function matchRoute(pathname: string): Route {
  const parts = pathname.split('/').filter((part) => part !== '')
  const [first, second] = parts
  if (parts.length === 0) {
    return { page: 'home' }
  }
  if (parts.length === 1 && first === 'login') {
    return { page: 'login' }
  }
  if (parts.length === 1 && first === 'setup') {
    return { page: 'setup' }
  }
  if (parts.length === 2 && first === 'metagov' && second === 'config') {
    return { page: 'metagovConfig' }
  }
  if (parts.length === 2 && first === 'invite' && second !== undefined) {
    return { page: 'invite', token: decodeURIComponent(second) }
  }
  const communityId = id(second)
  if (first === 'c' && communityId !== null) {
    return { page: 'community', communityId, sub: matchCommunity(parts.slice(2)) }
  }
  return { page: 'notFound' }
}
