import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import type { SessionJson } from '../../src/server/presenters.ts'
import { ApiError, type ApiClient } from './api.ts'
import { AppContext, type AppState } from './app-context.ts'
import { CommunityShell } from './components/community-shell.tsx'
import { ErrorAlert } from './components/error-alert.tsx'
import { PublicLayout } from './components/public-layout.tsx'
import { Redirect } from './components/redirect.tsx'
import { matchRoute } from './match-route.ts'
import { HomePage } from './pages/home-page.tsx'
import { InvitePage } from './pages/invite-page.tsx'
import { LoginPage } from './pages/login-page.tsx'
import { NotFoundPage } from './pages/not-found-page.tsx'
import { SetupPage } from './pages/setup-page.tsx'
import { useLocation } from './router.ts'

/** undefined while the first `GET /api/session` is on its way; null: not signed in. */
type SessionState = SessionJson | null | undefined

export function App({ api }: { api: ApiClient }) {
  const [session, setSessionState] = useState<SessionState>(undefined)
  const [sessionError, setSessionError] = useState<unknown>(null)
  const location = useLocation()

  const setSession = useCallback(
    (next: SessionJson | null) => {
      api.setCsrfToken(next?.csrfToken ?? null)
      setSessionState(next)
    },
    [api],
  )

  const refreshSession = useCallback(async () => {
    try {
      setSession(await api.get<SessionJson>('/api/session'))
      setSessionError(null)
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        setSession(null)
        setSessionError(null)
      } else {
        setSessionError(e)
      }
    }
  }, [api, setSession])

  useEffect(() => {
    void refreshSession()
  }, [refreshSession])

  // After a navigation, focus moves to the new page's main region (and so does a screen reader).
  const firstPath = useRef(location.pathname)
  useEffect(() => {
    if (location.pathname !== firstPath.current) {
      firstPath.current = ''
      document.getElementById('main')?.focus()
    }
  }, [location.pathname])

  const state = useMemo<AppState | null>(
    () => (session === undefined ? null : { api, session, setSession, refreshSession }),
    [api, session, setSession, refreshSession],
  )

  if (state === null) {
    return (
      <PublicLayout>
        {sessionError ? (
          <ErrorAlert error={sessionError}>
            <button type="button" onClick={() => void refreshSession()}>
              Try again
            </button>
          </ErrorAlert>
        ) : (
          <p role="status" className="muted">
            Loading…
          </p>
        )}
      </PublicLayout>
    )
  }

  const route = matchRoute(location.pathname)
  let page
  switch (route.page) {
    case 'home':
      page = <HomePage />
      break
    case 'login':
      page = <LoginPage />
      break
    case 'setup':
      page = <SetupPage />
      break
    case 'invite':
      page = <InvitePage token={route.token} />
      break
    case 'community':
      page =
        state.session === null ? (
          <Redirect to={`/login?next=${encodeURIComponent(location.href)}`} />
        ) : (
          <CommunityShell key={route.communityId} communityId={route.communityId} route={route.sub} />
        )
      break
    case 'metagovConfig': {
      // The guide's address: the community in `?community=`, else the first one the member belongs to.
      const given = Number(location.query.get('community'))
      const communityId = Number.isInteger(given) && given > 0 ? given : state.session?.memberships[0]?.communityId
      page =
        state.session === null ? (
          <Redirect to={`/login?next=${encodeURIComponent(location.href)}`} />
        ) : communityId === undefined ? (
          <PublicLayout>
            <NotFoundPage />
          </PublicLayout>
        ) : (
          <Redirect to={`/c/${communityId}/metagov`} />
        )
      break
    }
    case 'notFound':
      page = (
        <PublicLayout>
          <NotFoundPage />
        </PublicLayout>
      )
      break
  }
  return <AppContext value={state}>{page}</AppContext>
}
