import { useState, type FormEvent } from 'react'
import type { ActionKind } from '../../../src/domain/action.ts'
import type { ActionTypeJson, GoverningJson, PolicySummaryJson } from '../../../src/server/presenters.ts'
import { toActionKind } from '../action-kind.ts'
import { errorMessage } from '../api.ts'
import { useApp, useCommunity } from '../app-context.ts'
import { ImportPolicy } from '../components/import-policy.tsx'
import { Link } from '../components/link.tsx'
import { ResourceView } from '../components/resource-view.tsx'
import { usePageTitle } from '../use-page-title.ts'
import { useResource } from '../use-resource.ts'
import { ErrorText } from '../components/error-alert.tsx'

const kinds: { kind: ActionKind; title: string; about: string }[] = [
  { kind: 'platform', title: 'Platform policies', about: 'govern what members do on connected platforms' },
  { kind: 'constitution', title: 'Constitution policies', about: 'govern changes to PolicyKit itself' },
  { kind: 'trigger', title: 'Trigger policies', about: 'react to events without governing them' },
]

function PolicyTable({ policies, base, caption }: { policies: PolicySummaryJson[]; base: string; caption: string }) {
  return (
    <div className="table-scroll">
      <table>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Action types</th>
            <th scope="col">Priority</th>
            <th scope="col">Active</th>
            <th scope="col">Version</th>
          </tr>
        </thead>
        <tbody>
          {policies.map((p) => (
            <tr key={p.id}>
              <th scope="row">
                <Link href={`${base}/policies/${p.id}`}>{p.name}</Link>
              </th>
              <td>{p.actionTypes.length === 0 ? <em>all (base policy)</em> : p.actionTypes.join(', ')}</td>
              <td>{p.priority}</td>
              <td>{p.active ? 'Active' : 'Inactive'}</td>
              <td>{p.version}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

/** `/c/:cid/policies`: every policy by kind, and which one would govern an action type. */
export function PoliciesPage() {
  usePageTitle('Policies')
  const { api } = useApp()
  const { community, base } = useCommunity()
  const path = `/api/communities/${community.id}/policies`
  const policies = useResource(path, (signal) => api.get<PolicySummaryJson[]>(path, signal))

  return (
    <>
      <h1>Policies</h1>
      <p className="actions">
        <Link href={`${base}/policies/new`} className="button">
          New policy
        </Link>
      </p>
      <ResourceView resource={policies}>
        {(list) => (
          <>
            {kinds.map(({ kind, title, about }) => {
              const ofKind = list.filter((p) => p.kind === kind)
              return (
                <section key={kind} aria-labelledby={`policies-${kind}`}>
                  <h2 id={`policies-${kind}`}>{title}</h2>
                  <p className="hint">They {about}.</p>
                  {ofKind.length === 0 ? (
                    <p className="muted">None.</p>
                  ) : (
                    <PolicyTable policies={ofKind} base={base} caption={title} />
                  )}
                </section>
              )
            })}
          </>
        )}
      </ResourceView>
      <GoverningForm />
      <ImportPolicy />
    </>
  )
}

function GoverningForm() {
  const { api } = useApp()
  const { community, base } = useCommunity()
  const [kind, setKind] = useState<ActionKind>('constitution')
  const [type, setType] = useState('')
  const [result, setResult] = useState<GoverningJson | null>(null)
  const [error, setError] = useState('')
  const typesPath = `/api/communities/${community.id}/action-types`
  const types = useResource(typesPath, (signal) => api.get<ActionTypeJson[]>(typesPath, signal))

  async function find(event: FormEvent) {
    event.preventDefault()
    setError('')
    try {
      const query = new URLSearchParams({ kind, type: type.trim() })
      setResult(await api.get<GoverningJson>(`/api/communities/${community.id}/policies/governing?${query.toString()}`))
    } catch (e) {
      setResult(null)
      setError(errorMessage(e))
    }
  }

  const suggestions = (types.data ?? []).filter((t) => t.kind === kind).map((t) => t.type)
  return (
    <section aria-labelledby="governing-heading">
      <h2 id="governing-heading">Which policy governs…</h2>
      <form className="form form-row" onSubmit={(e) => void find(e)}>
        <div className="field">
          <label htmlFor="governing-kind">Kind</label>
          <select id="governing-kind" value={kind} onChange={(e) => setKind(toActionKind(e.target.value))}>
            <option value="platform">platform</option>
            <option value="constitution">constitution</option>
            <option value="trigger">trigger</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="governing-type">Action type</label>
          <input
            id="governing-type"
            required
            list="governing-types"
            placeholder="constitution.addRole"
            autoCapitalize="none"
            spellCheck={false}
            value={type}
            onChange={(e) => setType(e.target.value)}
          />
          <datalist id="governing-types">
            {suggestions.map((t) => (
              <option key={t} value={t} />
            ))}
          </datalist>
        </div>
        <button type="submit">Find</button>
      </form>
      <ErrorText text={error} />
      <div aria-live="polite">
        {result &&
          (result.candidates.length === 0 ? (
            <p>
              No active {result.kind} policy lists <code>{result.type}</code> or is a base policy: an action of this
              type is not governed.
            </p>
          ) : (
            <>
              <p>
                Policies that could govern <code>{result.type}</code>, in the order they are tried. The first whose
                filter accepts the action governs it.
              </p>
              <ol className="candidates">
                {result.candidates.map((p) => (
                  <li key={p.id}>
                    <Link href={`${base}/policies/${p.id}`}>{p.name}</Link> (priority {p.priority}
                    {p.actionTypes.length === 0 ? ', base policy' : ''})
                  </li>
                ))}
              </ol>
            </>
          ))}
      </div>
    </section>
  )
}
