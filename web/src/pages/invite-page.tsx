import { useState, type FormEvent } from 'react'
import type { InviteInfoJson, SessionJson } from '../../../src/server/presenters.ts'
import { ApiError } from '../api.ts'
import { useApp } from '../app-context.ts'
import { AccountFields } from '../components/account-fields.tsx'
import { ErrorAlert, ErrorText } from '../components/error-alert.tsx'
import { Link } from '../components/link.tsx'
import { PublicLayout } from '../components/public-layout.tsx'
import { SignOutButton } from '../components/sign-out-button.tsx'
import { navigate } from '../router.ts'
import { usePageTitle } from '../use-page-title.ts'
import { useResource } from '../use-resource.ts'
import { useSubmit } from '../use-submit.ts'

/** `/invite/:token`: join a community with a new account, or as the signed-in user. */
export function InvitePage({ token }: { token: string }) {
  usePageTitle('Join a community')
  const { api } = useApp()
  const path = `/api/invites/${encodeURIComponent(token)}`
  const info = useResource(path, (signal) => api.get<InviteInfoJson>(path, signal))

  let body
  if (info.state === 'loading') {
    body = (
      <p role="status" className="muted">
        Loading…
      </p>
    )
  } else if (info.state === 'failed') {
    body =
      info.error instanceof ApiError && info.error.status === 404 ? (
        <ErrorText text="This invite link is not valid or was already used. Ask for a new one." />
      ) : (
        <ErrorAlert error={info.error} />
      )
  } else if (!info.data.valid) {
    body = (
      <ErrorText>
        This invite to {info.data.communityName}{' '}
        {info.data.status === 'revoked'
          ? 'was revoked'
          : info.data.status === 'used'
            ? 'was already used'
            : 'has expired'}
        . Ask for a new one.
      </ErrorText>
    )
  } else {
    body = <Join token={token} info={info.data} />
  }
  return (
    <PublicLayout>
      <h1>{info.state === 'ready' ? `Join ${info.data.communityName}` : 'Join a community'}</h1>
      {body}
    </PublicLayout>
  )
}

function Join({ token, info }: { token: string; info: InviteInfoJson }) {
  const { communityId, communityName, forMember } = info
  const { api, session, setSession } = useApp()
  const [username, setUsername] = useState('')
  const [displayName, setDisplayName] = useState('')
  const [password, setPassword] = useState('')
  const [confirmation, setConfirmation] = useState('')
  const { busy, error, run } = useSubmit()
  const acceptPath = `/api/invites/${encodeURIComponent(token)}/accept`

  async function accept(body: object) {
    const joined = await api.post<SessionJson>(acceptPath, body)
    setSession(joined)
    navigate(`/c/${communityId}`)
  }

  function createAccount(event: FormEvent) {
    event.preventDefault()
    void run(async () => {
      if (password !== confirmation) {
        throw new Error('The two passwords are not the same')
      }
      await accept({ username, password, ...(displayName.trim() !== '' && { displayName }) })
    })
  }

  const errorAlert = <ErrorText text={error} />

  if (session) {
    return (
      <>
        <p>
          You are signed in as <strong>{session.user.displayName}</strong> ({session.user.username}).
        </p>
        {errorAlert}
        <div className="actions">
          <button type="button" disabled={busy} onClick={() => void run(() => accept({}))}>
            Join as {session.user.username}
          </button>
          <SignOutButton />
        </div>
      </>
    )
  }

  return (
    <form className="form" onSubmit={createAccount}>
      <p>
        {forMember === null
          ? `You have been invited to join ${communityName}.`
          : `This link gives ${forMember}, a member of ${communityName}, an account for the dashboard.`}{' '}
        Create your account, or <Link href={`/login?next=${encodeURIComponent(`/invite/${token}`)}`}>sign in</Link> if
        you already have one.
      </p>
      <AccountFields
        idPrefix="invite"
        username={username}
        setUsername={setUsername}
        displayName={displayName}
        setDisplayName={setDisplayName}
        password={password}
        setPassword={setPassword}
        confirmation={confirmation}
        setConfirmation={setConfirmation}
      />
      {errorAlert}
      <button type="submit" disabled={busy}>
        Create account and join
      </button>
    </form>
  )
}
