import { useState, type FormEvent } from 'react'
import type { KitJson, SessionJson, SetupPlatformJson, SetupStatusJson } from '../../../src/server/presenters.ts'
import { useApp } from '../app-context.ts'
import { AccountFields } from '../components/account-fields.tsx'
import { Link } from '../components/link.tsx'
import { PublicLayout } from '../components/public-layout.tsx'
import { ResourceView } from '../components/resource-view.tsx'
import { navigate, useLocation } from '../router.ts'
import { usePageTitle } from '../use-page-title.ts'
import { useResource } from '../use-resource.ts'
import { useSubmit } from '../use-submit.ts'
import { ErrorText } from '../components/error-alert.tsx'

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
        {({ needed, kits, platforms }) =>
          !needed ? (
            <p>
              PolicyKit is already set up. <Link href="/login">Sign in</Link>.
            </p>
          ) : token === '' ? (
            <ErrorText>
              This page needs the set-up link that <code>npm start</code> printed, with its token.
            </ErrorText>
          ) : (
            <>
              {platforms.length > 0 && <h2>With a username and password</h2>}
              <SetupForm token={token} kits={kits} />
              {platforms.map((p) => (
                <PlatformSetup key={p.platform} token={token} kits={kits} platform={p} />
              ))}
            </>
          )
        }
      </ResourceView>
    </PublicLayout>
  )
}

/** The starter kits as radio buttons; `name` groups them and prefixes their ids. */
function KitChoice(props: {
  name: string
  legend: string
  kits: KitJson[]
  kit: string
  setKit: (kit: string) => void
}) {
  const { name, kits, kit, setKit } = props
  return (
    <fieldset>
      <legend>{props.legend}</legend>
      {kits.map((k) => (
        <div className="radio" key={k.name}>
          <input
            type="radio"
            id={`${name}-${k.name}`}
            name={name}
            value={k.name}
            checked={kit === k.name}
            onChange={() => setKit(k.name)}
            aria-describedby={`${name}-${k.name}-description`}
          />
          <label htmlFor={`${name}-${k.name}`}>{k.title}</label>
          <p id={`${name}-${k.name}-description`} className="hint">
            {k.description}
          </p>
        </div>
      ))}
    </fieldset>
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
  const { busy, error, run } = useSubmit()

  async function submit(event: FormEvent) {
    event.preventDefault()
    await run(async () => {
      if (password !== confirmation) {
        throw new Error('The two passwords are not the same')
      }
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
    })
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
      <KitChoice name="kit" legend="Starter kit" kits={kits} kit={kit} setKit={setKit} />
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
      <ErrorText text={error} />
      <button type="submit" disabled={busy}>
        Create community
      </button>
    </form>
  )
}

/**
 * Set up with a platform (Slack, Discord, Reddit, Discourse): what founding from it means, in the
 * platform's own words, its own kit choice, then a full-page link to the platform's set-up route,
 * which takes the browser through the platform and back, signed in.
 */
function PlatformSetup({ token, kits, platform }: { token: string; kits: KitJson[]; platform: SetupPlatformJson }) {
  const [kit, setKit] = useState(kits[0]?.name ?? '')
  const id = `setup-${platform.platform}`
  const href = `${platform.setupPath}?${new URLSearchParams({ setup: token, kit })}`
  const { title } = platform
  return (
    <section className="form" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Set up with {title}</h2>
      <p>
        {platform.how} instead: the community is named after the {platform.place}, its people become members, and you
        sign in with {title}. Only {platform.who} can do this. Communities made later connect {title} from their
        settings.
      </p>
      <KitChoice
        name={`${id}-kit`}
        legend={`Starter kit for the ${title} community`}
        kits={kits}
        kit={kit}
        setKit={setKit}
      />
      <p className="actions">
        {/* A full page load: the platform's route takes the browser to the platform. */}
        <a className="button" href={href}>
          Set up with {title}
        </a>
      </p>
    </section>
  )
}
