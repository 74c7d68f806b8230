import { useApp, useCommunity } from '../app-context.ts'
import type { CommunityRoute } from '../match-route.ts'
import { Link } from './link.tsx'
import { SignOutButton } from './sign-out-button.tsx'

type Section = 'overview' | 'proposals' | 'propose' | 'policies' | 'members' | 'documents' | 'logs' | 'settings'

function sectionOf(route: CommunityRoute): Section | null {
  switch (route.page) {
    case 'overview':
      return 'overview'
    case 'proposals':
    case 'proposal':
      return 'proposals'
    case 'propose':
      return 'propose'
    case 'policies':
    case 'policy':
    case 'newPolicy':
    case 'editPolicy':
      return 'policies'
    case 'members':
      return 'members'
    case 'documents':
    case 'document':
      return 'documents'
    case 'logs':
      return 'logs'
    case 'settings':
    case 'metagov':
      return 'settings'
    case 'notFound':
      return null
  }
}

/** The header of a community's pages: its name, the sections, who is signed in. */
export function CommunityNav({ route }: { route: CommunityRoute }) {
  const { session } = useApp()
  const { community, base, can } = useCommunity()
  const current = sectionOf(route)
  const sections: { section: Section; label: string; href: string }[] = [
    { section: 'overview', label: 'Overview', href: base },
    { section: 'proposals', label: 'Proposals', href: `${base}/proposals` },
    { section: 'propose', label: 'Propose', href: `${base}/propose` },
    { section: 'policies', label: 'Policies', href: `${base}/policies` },
    { section: 'members', label: 'Members', href: `${base}/members` },
    { section: 'documents', label: 'Documents', href: `${base}/documents` },
    // The API answers the log only to members holding view_logs.
    ...(can('view_logs') ? [{ section: 'logs' as const, label: 'Logs', href: `${base}/logs` }] : []),
    { section: 'settings', label: 'Settings', href: `${base}/settings` },
  ]
  const others = session?.memberships.filter((m) => m.communityId !== community.id) ?? []

  return (
    <header className="site-header">
      <div className="site-header-inner">
        <Link href={base} className="brand">
          {community.name}
        </Link>
        {others.length > 0 && (
          <details className="switcher">
            <summary>Switch community</summary>
            <ul>
              {others.map((m) => (
                <li key={m.communityId}>
                  <Link href={`/c/${m.communityId}`}>{m.communityName}</Link>
                </li>
              ))}
            </ul>
          </details>
        )}
        <div className="user">
          <span className="user-name">{community.me.displayName}</span>
          <SignOutButton />
        </div>
      </div>
      <nav aria-label="Community" className="site-nav">
        <ul>
          {sections.map((s) => (
            <li key={s.section}>
              <Link href={s.href} aria-current={s.section === current ? 'page' : undefined}>
                {s.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
    </header>
  )
}
