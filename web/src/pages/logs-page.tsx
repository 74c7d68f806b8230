import { useState } from 'react'
import type { ActionTypeJson, LogJson } from '../../../src/server/presenters.ts'
import { useApp, useCommunity } from '../app-context.ts'
import { Link } from '../components/link.tsx'
import { ResourceView } from '../components/resource-view.tsx'
import { formatTime } from '../format-time.ts'
import { navigate, useLocation } from '../router.ts'
import { usePageTitle } from '../use-page-title.ts'
import { useResource } from '../use-resource.ts'
import { useSubmit } from '../use-submit.ts'
import { ErrorText } from '../components/error-alert.tsx'

const pageSize = 50

const levels = [
  { value: '', label: 'All' },
  { value: 'info', label: 'Info and above' },
  { value: 'warn', label: 'Warnings and errors' },
  { value: 'error', label: 'Errors' },
]

/** The filters live in the query string, so a filtered view can be linked to and survives a reload. */
const filterNames = ['level', 'platform', 'proposal'] as const
type Filters = Record<(typeof filterNames)[number], string>

/**
 * `/c/:cid/logs?level=&platform=&proposal=`: the community's whole log (policy evaluations,
 * votes opened, platform notices such as a Slack uninstall), newest first; for members holding
 * `view_logs`, as the API requires.
 */
export function LogsPage() {
  usePageTitle('Logs')
  const { api } = useApp()
  const { community, base, can } = useCommunity()
  const { query } = useLocation()
  const filters: Filters = {
    level: query.get('level') ?? '',
    platform: query.get('platform') ?? '',
    proposal: /^[1-9][0-9]*$/.test(query.get('proposal') ?? '') ? (query.get('proposal') ?? '') : '',
  }
  const typesPath = `/api/communities/${community.id}/action-types`
  const types = useResource(typesPath, (signal) => api.get<ActionTypeJson[]>(typesPath, signal))
  const listPath = (before?: number) => {
    const params = new URLSearchParams({ limit: String(pageSize) })
    if (filters.level !== '') {
      params.set('level', filters.level)
    }
    if (filters.platform !== '') {
      params.set('platform', filters.platform)
    }
    if (filters.proposal !== '') {
      params.set('proposalNumber', filters.proposal)
    }
    if (before !== undefined) {
      params.set('before', String(before))
    }
    return `/api/communities/${community.id}/logs?${params.toString()}`
  }
  const firstPage = useResource(listPath(), (signal) => api.get<LogJson[]>(listPath(), signal))
  // The platforms with action types here, and any a line names (a platform since disconnected, a notice).
  const platforms = [
    ...new Set([
      ...(types.data?.map((t) => t.platform) ?? []),
      ...(firstPage.data?.flatMap((l) => (l.platform === null ? [] : [l.platform])) ?? []),
      ...(filters.platform === '' ? [] : [filters.platform]),
    ]),
  ].sort()
  const [proposal, setProposal] = useState(filters.proposal)

  function setFilter(name: keyof Filters, value: string) {
    const next = new URLSearchParams()
    for (const key of filterNames) {
      const v = key === name ? value : filters[key]
      if (v !== '') {
        next.set(key, v)
      }
    }
    const search = next.toString()
    navigate(search === '' ? `${base}/logs` : `${base}/logs?${search}`, { replace: true })
  }

  if (!can('view_logs')) {
    return (
      <>
        <h1>Logs</h1>
        <p>The community&apos;s log is shown to members holding the view_logs permission.</p>
      </>
    )
  }

  return (
    <>
      <h1>Logs</h1>
      <div className="form form-row">
        <div className="field">
          <label htmlFor="log-level">Level</label>
          <select id="log-level" value={filters.level} onChange={(e) => setFilter('level', e.target.value)}>
            {levels.map((l) => (
              <option key={l.value} value={l.value}>
                {l.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="log-platform">Platform</label>
          <select id="log-platform" value={filters.platform} onChange={(e) => setFilter('platform', e.target.value)}>
            <option value="">All</option>
            {platforms.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </div>
        <form
          className="field"
          onSubmit={(e) => {
            e.preventDefault()
            setFilter('proposal', proposal.trim().replace(/^#/, ''))
          }}
        >
          <label htmlFor="log-proposal">Proposal number</label>
          <input
            id="log-proposal"
            inputMode="numeric"
            pattern="#?[0-9]*"
            placeholder="all"
            value={proposal}
            onChange={(e) => setProposal(e.target.value)}
            onBlur={() => setFilter('proposal', proposal.trim().replace(/^#/, ''))}
          />
        </form>
      </div>
      <ResourceView resource={firstPage}>
        {(page) => <Pages key={listPath()} first={page} base={base} loadPage={(b) => api.get(listPath(b))} />}
      </ResourceView>
    </>
  )
}

function Pages(props: { first: LogJson[]; base: string; loadPage: (before: number) => Promise<LogJson[]> }) {
  const [more, setMore] = useState<LogJson[]>([])
  const [done, setDone] = useState(props.first.length < pageSize)
  const { busy, error, run } = useSubmit()
  const lines = [...props.first, ...more]

  async function older() {
    const last = lines.at(-1)
    if (last === undefined) {
      return
    }
    await run(async () => {
      const page = await props.loadPage(last.id)
      setMore((items) => [...items, ...page])
      setDone(page.length < pageSize)
    })
  }

  if (lines.length === 0) {
    return <p className="muted">Nothing logged matches.</p>
  }
  return (
    <>
      <div className="table-scroll">
        <table>
          <caption className="visually-hidden">Log, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Level</th>
              <th scope="col">Platform</th>
              <th scope="col">Proposal</th>
              <th scope="col">Message</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {lines.map((log) => (
              <tr key={log.id} className={`log-${log.level}`}>
                <td>{formatTime(log.createdAt)}</td>
                <td>{log.level}</td>
                <td>{log.platform ?? ''}</td>
                <td>
                  {log.proposalId !== null && (
                    <Link href={`${props.base}/proposals/${log.proposalId}`}>
                      #{log.proposalNumber ?? log.proposalId}
                    </Link>
                  )}
                </td>
                <td>{log.message}</td>
                <td>{log.details && <code className="details">{JSON.stringify(log.details)}</code>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ErrorText text={error} />
      {!done && (
        <button type="button" className="button-secondary" disabled={busy} onClick={() => void older()}>
          Older
        </button>
      )}
    </>
  )
}
