import type { SetupStatusJson } from '../../../src/server/presenters.ts'
import { useApp } from '../app-context.ts'
import { PublicLayout } from '../components/public-layout.tsx'
import { Redirect } from '../components/redirect.tsx'
import { ResourceView } from '../components/resource-view.tsx'
import { usePageTitle } from '../use-page-title.ts'
import { useResource } from '../use-resource.ts'
import { SignOutButton } from '../components/sign-out-button.tsx'

/** `/`: the first community of the signed-in user, or sign-in (or a word about set-up). */
export function HomePage() {
  const { session } = useApp()
  const first = session?.memberships[0]
  if (first) {
    return <Redirect to={`/c/${first.communityId}`} />
  }
  return <PublicLayout>{session ? <NoCommunity /> : <SignedOut />}</PublicLayout>
}

function NoCommunity() {
  usePageTitle('No community yet')
  return (
    <>
      <h1>No community yet</h1>
      <p>You are signed in, but not a member of any community. Ask a member of one for an invite link.</p>
      <SignOutButton />
    </>
  )
}

function SignedOut() {
  const { api } = useApp()
  const setup = useResource('/api/setup', (signal) => api.get<SetupStatusJson>('/api/setup', signal))
  return (
    <ResourceView resource={setup}>
      {(status) => (status.needed ? <SetupNeeded /> : <Redirect to="/login" />)}
    </ResourceView>
  )
}

function SetupNeeded() {
  usePageTitle('Set up PolicyKit')
  return (
    <>
      <h1>Welcome to PolicyKit</h1>
      <p>
        PolicyKit is not set up yet. Open the one-time set-up link that <code>npm start</code> printed when the server
        started to create the first community and its first admin account.
      </p>
    </>
  )
}
