import { useState, type FormEvent } from 'react'
import type { ApiTokenJson, InviteJson } from '../../../src/server/presenters.ts'
import { useApp, useCommunity } from '../app-context.ts'
import { CopyField } from '../components/copy-field.tsx'
import { IntegrationsSection } from '../components/integrations-section.tsx'
import { ResourceTable } from '../components/resource-table.tsx'
import { formatTime } from '../format-time.ts'
import { navigate } from '../router.ts'
import { usePageTitle } from '../use-page-title.ts'
import { useResource } from '../use-resource.ts'
import { useSubmit } from '../use-submit.ts'
import { ErrorText } from '../components/error-alert.tsx'

/**
 * `/c/:cid/settings`: for every member their password and API tokens; integrations and invites
 * for members who manage the community.
 */
export function SettingsPage() {
  usePageTitle('Settings')
  const { can } = useCommunity()
  return (
    <>
      <h1>Settings</h1>
      {can('manage_integrations') && <IntegrationsSection />}
      {can('manage_members') && <Invites />}
      <DisplayName />
      <ApiTokens />
      <ChangePassword />
      <LeaveCommunity />
    </>
  )
}

/**
 * Leaving, asked twice: the member's roles, sign-in here and API tokens go; the votes they cast
 * stay. The server refuses the last member who could amend the constitution, saying why.
 */
function LeaveCommunity() {
  const { api, refreshSession } = useApp()
  const { community } = useCommunity()
  const [confirming, setConfirming] = useState(false)
  const { busy, error, run } = useSubmit()

  const leave = () =>
    run(async () => {
      await api.delete(`/api/communities/${community.id}/members/me`)
      await refreshSession()
      navigate('/')
    })

  return (
    <section aria-labelledby="leave-heading">
      <h2 id="leave-heading">Leave this community</h2>
      <p className="hint">
        Your roles in {community.name}, your sign-in to it and your API tokens for it go. The votes you cast stay. Your
        PolicyKit login and your other communities are not affected.
      </p>
      {confirming ? (
        <div className="confirm" role="group" aria-label={`Confirm leaving ${community.name}`}>
          <p>Leave {community.name}? Only a new invite brings you back.</p>
          <button type="button" className="button-danger" disabled={busy} onClick={() => void leave()}>
            Yes, leave {community.name}
          </button>
          <button type="button" className="button-secondary" disabled={busy} onClick={() => setConfirming(false)}>
            Stay
          </button>
        </div>
      ) : (
        <button type="button" className="button-danger" onClick={() => setConfirming(true)}>
          Leave {community.name}…
        </button>
      )}
      <ErrorText text={error} />
    </section>
  )
}

/** The name this community shows for the member (votes, proposals, members). */
function DisplayName() {
  const { api } = useApp()
  const { community, reload } = useCommunity()
  const [name, setName] = useState(community.me.displayName)
  const { busy, error, done, run } = useSubmit()

  async function save(event: FormEvent) {
    event.preventDefault()
    await run(async () => {
      await api.put(`/api/communities/${community.id}/members/me/display-name`, { displayName: name })
      reload()
    })
  }

  return (
    <section aria-labelledby="display-name-heading">
      <h2 id="display-name-heading">Display name</h2>
      <p className="hint">
        How {community.name} shows you to others; your username stays {community.me.username}.
      </p>
      <form className="form" onSubmit={(e) => void save(e)}>
        <div className="field">
          <label htmlFor="display-name">Display name</label>
          <input id="display-name" maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
        </div>
        <button type="submit" disabled={busy}>
          Save display name
        </button>
      </form>
      <ErrorText text={error} />
      <div aria-live="polite">{done && <p className="alert alert-success">Your display name was changed.</p>}</div>
    </section>
  )
}

/** Changing one's own password; the server ends one's other sessions. */
function ChangePassword() {
  const { api } = useApp()
  const [current, setCurrent] = useState('')
  const [next, setNext] = useState('')
  const { busy, error, done, run } = useSubmit()

  async function change(event: FormEvent) {
    event.preventDefault()
    await run(async () => {
      await api.put('/api/session/password', { currentPassword: current, newPassword: next })
      setCurrent('')
      setNext('')
    })
  }

  return (
    <section aria-labelledby="password-heading">
      <h2 id="password-heading">Password</h2>
      <p className="hint">
        At least 8 characters; not a common password or your username. A few unrelated words make a good one. Your other
        sessions are signed out.
      </p>
      <form className="form" onSubmit={(e) => void change(e)}>
        <div className="field">
          <label htmlFor="current-password">Current password</label>
          <input
            id="current-password"
            type="password"
            autoComplete="current-password"
            required
            value={current}
            onChange={(e) => setCurrent(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="new-password">New password</label>
          <input
            id="new-password"
            type="password"
            autoComplete="new-password"
            required
            minLength={8}
            maxLength={200}
            value={next}
            onChange={(e) => setNext(e.target.value)}
          />
        </div>
        <button type="submit" disabled={busy}>
          Change password
        </button>
      </form>
      <ErrorText text={error} />
      <div aria-live="polite">{done && <p className="alert alert-success">Your password was changed.</p>}</div>
    </section>
  )
}

/** The server decides the status (its clock); the dashboard only words it. */
function inviteStatus(invite: InviteJson): string {
  switch (invite.status) {
    case 'used':
      return `Used ${formatTime(invite.usedAt ?? invite.createdAt)}`
    case 'revoked':
      return `Revoked ${formatTime(invite.revokedAt ?? invite.createdAt)}`
    case 'expired':
      return 'Expired'
    case 'open':
      return 'Open'
  }
}

/**
 * What a member makes and revokes here (invite links, API tokens): the list, and the one just
 * made, shown this once (only its hash is kept) until it is revoked.
 */
function useRevocables<T extends { id: number }>(path: string) {
  const { api } = useApp()
  const list = useResource(path, (signal) => api.get<T[]>(path, signal))
  const [created, setCreated] = useState<T | null>(null)
  const { busy, error, run } = useSubmit()

  /** Makes one with `body`; `made` runs once it is made. */
  const create = (body: unknown, made?: () => void) =>
    run(async () => {
      setCreated(await api.post<T>(path, body))
      made?.()
      list.reload()
    })
  const revoke = (item: T) =>
    run(async () => {
      await api.delete(`${path}/${item.id}`)
      if (created?.id === item.id) {
        setCreated(null)
      }
      list.reload()
    })
  return { list, created, busy, error, create, revoke }
}

function Invites() {
  const { community } = useCommunity()
  const {
    list: invites,
    created,
    busy,
    error,
    create,
    revoke,
  } = useRevocables<InviteJson>(`/api/communities/${community.id}/invites`)

  return (
    <section aria-labelledby="invites-heading">
      <h2 id="invites-heading">Invites</h2>
      <p className="hint">
        An invite link lets one person join: it works once, for 7 days. It is shown only when made (only its hash is
        kept): if a link is lost or went to the wrong person, revoke it and make a new one.
      </p>
      <button type="button" disabled={busy} onClick={() => void create({})}>
        Create invite link
      </button>
      <ErrorText text={error} />
      <div aria-live="polite">
        {created?.url && <CopyField id="invite-link" label="Invite link" value={created.url} />}
      </div>
      <ResourceTable
        resource={invites}
        caption="Invites"
        columns={['Created', 'By', 'Expires', 'For', 'Status']}
        empty="No invites yet."
        row={(i) => (
          <tr key={i.id}>
            <th scope="row">{formatTime(i.createdAt)}</th>
            <td>{i.createdBy}</td>
            <td>{formatTime(i.expiresAt)}</td>
            <td>{i.forMember ?? 'anyone'}</td>
            <td>{inviteStatus(i)}</td>
            <td>
              {i.status === 'open' && (
                <button type="button" className="button-secondary" onClick={() => void revoke(i)}>
                  Revoke<span className="visually-hidden"> the invite made {formatTime(i.createdAt)}</span>
                </button>
              )}
            </td>
          </tr>
        )}
      />
    </section>
  )
}

function ApiTokens() {
  const { community } = useCommunity()
  const {
    list: tokens,
    created,
    busy,
    error,
    create,
    revoke,
  } = useRevocables<ApiTokenJson>(`/api/communities/${community.id}/tokens`)
  const [name, setName] = useState('')

  async function createToken(event: FormEvent) {
    event.preventDefault()
    await create({ name }, () => setName(''))
  }

  return (
    <section aria-labelledby="tokens-heading">
      <h2 id="tokens-heading">API tokens</h2>
      <p className="hint">
        A token acts as you in this community, for scripts: send it as <code>Authorization: Bearer &lt;token&gt;</code>.
      </p>
      <form className="form form-row" onSubmit={(e) => void createToken(e)}>
        <div className="field">
          <label htmlFor="token-name">Token name</label>
          <input id="token-name" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
        </div>
        <button type="submit" disabled={busy}>
          Create token
        </button>
      </form>
      <ErrorText text={error} />
      <div aria-live="polite">
        {created?.token && (
          <div className="alert alert-warning">
            <p>
              <strong>Copy this token now: it will not be shown again.</strong>
            </p>
            <CopyField id="new-token" label={`API token ${created.name}`} value={created.token} />
          </div>
        )}
      </div>
      <ResourceTable
        resource={tokens}
        className="stacked"
        caption="Your API tokens"
        columns={['Name', 'Created', 'Last used']}
        empty="No API tokens."
        row={(t) => (
          <tr key={t.id}>
            <th scope="row" className="long-name">
              {t.name}
            </th>
            <td data-label="Created">{formatTime(t.createdAt)}</td>
            <td data-label="Last used">{t.lastUsedAt === null ? 'Never' : formatTime(t.lastUsedAt)}</td>
            <td>
              <button type="button" className="button-secondary" onClick={() => void revoke(t)}>
                Revoke<span className="visually-hidden"> {t.name}</span>
              </button>
            </td>
          </tr>
        )}
      />
    </section>
  )
}
