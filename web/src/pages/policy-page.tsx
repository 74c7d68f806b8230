import { useState } from 'react'
import type { PolicyJson, PolicyVersionJson } from '../../../src/server/presenters.ts'
import { errorMessage } from '../api.ts'
import { useApp, useCommunity } from '../app-context.ts'
import { Link } from '../components/link.tsx'
import { ParamsView } from '../components/params-view.tsx'
import { ResourceView } from '../components/resource-view.tsx'
import { VersionDiff } from '../components/version-diff.tsx'
import { formatTime } from '../format-time.ts'
import { usePageTitle } from '../use-page-title.ts'
import { useResource } from '../use-resource.ts'

/** `/c/:cid/policies/:pid`: the policy, its code, and its history. */
export function PolicyPage({ policyId }: { policyId: number }) {
  const { api } = useApp()
  const { community } = useCommunity()
  const path = `/api/communities/${community.id}/policies/${policyId}`
  const policy = useResource(path, (signal) => api.get<PolicyJson>(path, signal))
  usePageTitle(policy.data?.name ?? `Policy ${policyId}`)
  return (
    <ResourceView resource={policy}>
      {(p) => (
        <>
          <h1>{p.name}</h1>
          <PolicyDetails policy={p} />
          <Versions policyId={p.id} />
        </>
      )}
    </ResourceView>
  )
}

function PolicyDetails({ policy }: { policy: PolicyJson }) {
  const { base } = useCommunity()
  return (
    <>
      {policy.description && <p className="lead">{policy.description}</p>}
      <div className="actions">
        <Link href={`${base}/policies/${policy.id}/edit`} className="button">
          Propose a change
        </Link>
        <ExportButton policy={policy} />
        {policy.active && (
          <Link
            href={`${base}/propose?type=constitution.removePolicy&policyId=${policy.id}`}
            className="button button-secondary"
          >
            Propose removal
          </Link>
        )}
      </div>
      <dl className="facts">
        <div>
          <dt>Kind</dt>
          <dd>{policy.kind}</dd>
        </div>
        <div>
          <dt>Action types</dt>
          <dd>{policy.actionTypes.length === 0 ? 'all (base policy)' : policy.actionTypes.join(', ')}</dd>
        </div>
        <div>
          <dt>Priority</dt>
          <dd>{policy.priority}</dd>
        </div>
        <div>
          <dt>Active</dt>
          <dd>{policy.active ? 'Yes' : 'No'}</dd>
        </div>
        <div>
          <dt>Version</dt>
          <dd>
            {policy.version} ({formatTime(policy.updatedAt)})
          </dd>
        </div>
      </dl>
      <section aria-labelledby="variables-heading">
        <h2 id="variables-heading">Variables</h2>
        {policy.variables.length === 0 ? (
          <p className="muted">None.</p>
        ) : (
          <div className="table-scroll">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Label</th>
                  <th scope="col">Type</th>
                  <th scope="col">Value</th>
                  <th scope="col">Default</th>
                </tr>
              </thead>
              <tbody>
                {policy.variables.map((v) => (
                  <tr key={v.name}>
                    <th scope="row">
                      <code>{v.name}</code>
                    </th>
                    <td>{v.label}</td>
                    <td>
                      {v.type}
                      {v.isList ? ' list' : ''}
                    </td>
                    <td>{v.value === null ? '(default)' : JSON.stringify(v.value)}</td>
                    <td>{JSON.stringify(v.default)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section aria-labelledby="code-heading">
        <h2 id="code-heading">Code</h2>
        <ParamsView params={{ blocks: policy.blocks }} />
      </section>
    </>
  )
}

function ExportButton({ policy }: { policy: PolicyJson }) {
  const { api } = useApp()
  const { community } = useCommunity()
  const [error, setError] = useState('')

  async function download() {
    setError('')
    try {
      const doc = await api.get<unknown>(`/api/communities/${community.id}/policies/${policy.id}/export`)
      const url = URL.createObjectURL(new Blob([JSON.stringify(doc, null, 2)], { type: 'application/json' }))
      const a = document.createElement('a')
      a.href = url
      a.download = `${policy.name.replace(/[^A-Za-z0-9_-]+/g, '-') || 'policy'}.json`
      document.body.append(a)
      a.click()
      a.remove()
      setTimeout(() => URL.revokeObjectURL(url), 1000)
    } catch (e) {
      setError(errorMessage(e))
    }
  }

  return (
    <>
      <button type="button" className="button-secondary" onClick={() => void download()}>
        Export
      </button>
      {error && (
        <span role="alert" className="error-text">
          {error}
        </span>
      )}
    </>
  )
}

function Versions({ policyId }: { policyId: number }) {
  const { api } = useApp()
  const { community } = useCommunity()
  const path = `/api/communities/${community.id}/policies/${policyId}/versions`
  const versions = useResource(path, (signal) => api.get<PolicyVersionJson[]>(path, signal))
  const [chosen, setChosen] = useState<number | null>(null)

  return (
    <section aria-labelledby="history-heading">
      <h2 id="history-heading">Version history</h2>
      <ResourceView resource={versions}>
        {(list) => {
          // Newest first, as the API gives them.
          const index = Math.max(
            0,
            list.findIndex((v) => v.versionId === chosen),
          )
          const after = list[index]
          const before = list[index + 1] ?? null
          return (
            <>
              <ol className="versions">
                {list.map((v) => (
                  <li key={v.versionId}>
                    Version {v.version}, {formatTime(v.createdAt)}
                  </li>
                ))}
              </ol>
              <div className="field inline-field">
                <label htmlFor="version-choice">Show changes in</label>
                <select
                  id="version-choice"
                  value={after?.versionId ?? ''}
                  onChange={(e) => setChosen(Number(e.target.value))}
                >
                  {list.map((v) => (
                    <option key={v.versionId} value={v.versionId}>
                      Version {v.version}
                    </option>
                  ))}
                </select>
              </div>
              {after && <VersionDiff before={before} after={after} />}
            </>
          )
        }}
      </ResourceView>
    </section>
  )
}
