import { useState, type FormEvent } from 'react'
import type { KitJson, SessionJson, SetupStatusJson } from '../../../src/server/presenters.ts'
import { errorMessage } from '../api.ts'
import { useApp } from '../app-context.ts'
import { AccountFields } from '../components/account-fields.tsx'
import { Link } from '../components/link.tsx'
import { PublicLayout } from '../components/public-layout.tsx'
import { ResourceView } from '../components/resource-view.tsx'
import { navigate, useLocation } from '../router.ts'
import { usePageTitle } from '../use-page-title.ts'
import { useResource } from '../use-resource.ts'

/** `/setup?token=…`: the first community and its first admin, from the link `npm start` prints. */
export function SetupPage() {
  usePageTitle('Set up PolicyKit')
  const { api } = useApp()
  const { query } = useLocation()
  const token = query.get('token') ?? ''
  const status = useResource('/api/setup', (signal) => api.get<SetupStatusJson>('/api/setup', signal))
  return (
    <PublicLayout>
      <h1>Set up PolicyKit</h1>
      <ResourceView resource={status}>
        {({ needed, kits }) =>
          !needed ? (
            <p>
              PolicyKit is already set up. <Link href="/login">Sign in</Link>.
            </p>
          ) : token === '' ? (
            <p role="alert" className="alert alert-error">
              This page needs the set-up link that <code>npm start</code> printed, with its token.
            </p>
          ) : (
            <SetupForm token={token} kits={kits} />
          )
        }
      </ResourceView>
    </PublicLayout>
  )
}

function SetupForm({ token, kits }: { token: string; kits: KitJson[] }) {
  const { api, setSession } = useApp()
  const [communityName, setCommunityName] = useState('')
  const [kit, setKit] = useState(kits[0]?.name ?? '')
  const [username, setUsername] = useState('')
  const [displayName, setDisplayName] = useState('')
  const [password, setPassword] = useState('')
  const [confirmation, setConfirmation] = useState('')
  const [error, setError] = useState('')
  const [busy, setBusy] = useState(false)

  async function submit(event: FormEvent) {
    event.preventDefault()
    if (password !== confirmation) {
      setError('The two passwords are not the same')
      return
    }
    setBusy(true)
    setError('')
    try {
      const session = await api.post<SessionJson>('/api/setup', {
        token,
        communityName,
        kit,
        username,
        ...(displayName.trim() !== '' && { displayName }),
        password,
      })
      setSession(session)
      const first = session.memberships[0]
      navigate(first ? `/c/${first.communityId}` : '/')
    } catch (e) {
      setError(errorMessage(e))
      setBusy(false)
    }
  }

  return (
    <form className="form" onSubmit={(e) => void submit(e)}>
      <p>Create the first community and your admin account.</p>
      <div className="field">
        <label htmlFor="setup-community">Community name</label>
        <input
          id="setup-community"
          required
          maxLength={200}
          value={communityName}
          onChange={(e) => setCommunityName(e.target.value)}
        />
      </div>
      <fieldset>
        <legend>Starter kit</legend>
        {kits.map((k) => (
          <div className="radio" key={k.name}>
            <input
              type="radio"
              id={`kit-${k.name}`}
              name="kit"
              value={k.name}
              checked={kit === k.name}
              onChange={() => setKit(k.name)}
              aria-describedby={`kit-${k.name}-description`}
            />
            <label htmlFor={`kit-${k.name}`}>{k.title}</label>
            <p id={`kit-${k.name}-description`} className="hint">
              {k.description}
            </p>
          </div>
        ))}
      </fieldset>
      <AccountFields
        idPrefix="setup"
        username={username}
        setUsername={setUsername}
        displayName={displayName}
        setDisplayName={setDisplayName}
        password={password}
        setPassword={setPassword}
        confirmation={confirmation}
        setConfirmation={setConfirmation}
      />
      {error && (
        <p role="alert" className="alert alert-error">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy}>
        Create community
      </button>
    </form>
  )
}
