import { useState, type FormEvent } from 'react'
import type { SessionJson, SignInProviderJson } from '../../../src/server/presenters.ts'
import { ApiError, errorMessage } from '../api.ts'
import { useApp } from '../app-context.ts'
import { PublicLayout } from '../components/public-layout.tsx'
import { Redirect } from '../components/redirect.tsx'
import { navigate, useLocation } from '../router.ts'
import { safeNext } from '../safe-next.ts'
import { usePageTitle } from '../use-page-title.ts'
import { useResource } from '../use-resource.ts'
import { useSubmit } from '../use-submit.ts'
import { ErrorText } from '../components/error-alert.tsx'

function signInError(e: unknown): string {
  if (e instanceof ApiError && e.status === 401) {
    return 'Wrong username or password'
  }
  if (e instanceof ApiError && e.status === 429) {
    return 'Too many attempts, wait a minute'
  }
  return errorMessage(e)
}

export function LoginPage() {
  usePageTitle('Sign in')
  const { api, session, setSession } = useApp()
  const { query } = useLocation()
  const next = safeNext(query.get('next'))
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const { busy, error, run } = useSubmit(signInError)
  const [signedIn, setSignedIn] = useState(false)
  const providers = useResource('/api/auth/providers', (signal) =>
    api.get<SignInProviderJson[]>('/api/auth/providers', signal),
  )

  if (session && !signedIn) {
    return <Redirect to={next} />
  }

  async function signIn(event: FormEvent) {
    event.preventDefault()
    await run(async () => {
      const created = await api.post<SessionJson>('/api/session', { username, password })
      setSignedIn(true)
      setSession(created)
      navigate(next)
    })
  }

  return (
    <PublicLayout>
      <h1>Sign in</h1>
      <form className="form" onSubmit={(e) => void signIn(e)}>
        <div className="field">
          <label htmlFor="login-username">Username</label>
          <input
            id="login-username"
            name="username"
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            required
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="login-password">Password</label>
          <input
            id="login-password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
        <ErrorText text={error} />
        {/* Once signed in, never again from this form (it stays when `next` is this page). */}
        <button type="submit" disabled={busy || signedIn}>
          Sign in
        </button>
      </form>
      {providers.data && providers.data.length > 0 && (
        <section aria-labelledby="other-sign-in">
          <h2 id="other-sign-in">Or sign in with</h2>
          <p className="actions">
            {providers.data.map((p) => (
              // A full page load: the platform's sign-in route redirects to its OpenID Connect page.
              <a key={p.platform} className="button button-secondary" href={p.url}>
                Sign in with {p.title}
              </a>
            ))}
          </p>
        </section>
      )}
    </PublicLayout>
  )
}
