import { lazy, Suspense, useEffect, useMemo } from 'react'
import type { CommunityJson } from '../../../src/server/presenters.ts'
import { ApiError } from '../api.ts'
import { CommunityContext, useApp, type CommunityState } from '../app-context.ts'
import type { CommunityRoute } from '../match-route.ts'
import { DocumentPage } from '../pages/document-page.tsx'
import { DocumentsPage } from '../pages/documents-page.tsx'
import { LogsPage } from '../pages/logs-page.tsx'
import { MembersPage } from '../pages/members-page.tsx'
import { NotFoundPage } from '../pages/not-found-page.tsx'
import { OverviewPage } from '../pages/overview-page.tsx'
import { PoliciesPage } from '../pages/policies-page.tsx'
import { PolicyPage } from '../pages/policy-page.tsx'
import { ProposalPage } from '../pages/proposal-page.tsx'
import { ProposalsPage } from '../pages/proposals-page.tsx'
import { ProposePage } from '../pages/propose-page.tsx'
import { MetagovConfigPage } from '../pages/metagov-config-page.tsx'
import { SettingsPage } from '../pages/settings-page.tsx'
import { useResource } from '../use-resource.ts'
import { CommunityNav } from './community-nav.tsx'
import { ErrorAlert } from './error-alert.tsx'
import { Link } from './link.tsx'
import { PublicLayout } from './public-layout.tsx'

// CodeMirror is most of the bundle's weight: it loads only with the editor.
const PolicyEditorPage = lazy(async () => ({
  default: (await import('../pages/policy-editor-page.tsx')).PolicyEditorPage,
}))

function CommunityPage({ route }: { route: CommunityRoute }) {
  switch (route.page) {
    case 'overview':
      return <OverviewPage />
    case 'proposals':
      return <ProposalsPage />
    case 'proposal':
      return <ProposalPage key={route.id} proposalId={route.id} />
    case 'propose':
      return <ProposePage />
    case 'policies':
      return <PoliciesPage />
    case 'policy':
      return <PolicyPage key={route.id} policyId={route.id} />
    case 'newPolicy':
      return <PolicyEditorPage policyId={null} />
    case 'editPolicy':
      return <PolicyEditorPage key={route.id} policyId={route.id} />
    case 'members':
      return <MembersPage />
    case 'documents':
      return <DocumentsPage />
    case 'document':
      return <DocumentPage key={route.id} documentId={route.id} />
    case 'logs':
      return <LogsPage />
    case 'settings':
      return <SettingsPage />
    case 'metagov':
      return <MetagovConfigPage />
    case 'notFound':
      return <NotFoundPage />
  }
}

/** `/c/:cid/*`: the community's header and navigation around one of its pages. */
export function CommunityShell({ communityId, route }: { communityId: number; route: CommunityRoute }) {
  const { api, setSession } = useApp()
  const path = `/api/communities/${communityId}`
  const community = useResource(path, (signal) => api.get<CommunityJson>(path, signal))
  const { reload } = community
  const data = community.data

  const state = useMemo<CommunityState | null>(() => {
    if (!data) {
      return null
    }
    const permissions = new Set(data.me.permissions)
    return { community: data, base: `/c/${data.id}`, can: (p) => permissions.has(p), reload }
  }, [data, reload])

  const signedOut = community.error instanceof ApiError && community.error.status === 401
  useEffect(() => {
    if (signedOut) {
      setSession(null)
    }
  }, [signedOut, setSession])

  if (community.state === 'loading') {
    return (
      <PublicLayout>
        <p role="status" className="muted">
          Loading…
        </p>
      </PublicLayout>
    )
  }
  if (state === null) {
    const notFound = community.error instanceof ApiError && community.error.status === 404
    return (
      <PublicLayout>
        <h1>{notFound ? 'Community not found' : 'Could not load the community'}</h1>
        {notFound ? (
          <p>
            There is no community here, or you are not a member of it. <Link href="/">Go to the start page</Link>.
          </p>
        ) : (
          <ErrorAlert error={community.error}>
            <button type="button" onClick={reload}>
              Try again
            </button>
          </ErrorAlert>
        )}
      </PublicLayout>
    )
  }
  return (
    <CommunityContext value={state}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <CommunityNav route={route} />
      <main id="main" tabIndex={-1} className="page">
        <Suspense
          fallback={
            <p role="status" className="muted">
              Loading…
            </p>
          }
        >
          <CommunityPage route={route} />
        </Suspense>
      </main>
    </CommunityContext>
  )
}
