import { useState } from 'react'
import type { ProposalPageJson, ProposalSummaryJson } from '../../../src/server/presenters.ts'
import { useApp, useCommunity } from '../app-context.ts'
import { ProposalList } from '../components/proposal-list.tsx'
import { ResourceView } from '../components/resource-view.tsx'
import { navigate, useLocation } from '../router.ts'
import { usePageTitle } from '../use-page-title.ts'
import { useResource } from '../use-resource.ts'
import { useSubmit } from '../use-submit.ts'
import { ErrorText } from '../components/error-alert.tsx'

const statuses = [
  { value: '', label: 'All' },
  { value: 'proposed', label: 'Pending' },
  { value: 'passed', label: 'Passed' },
  { value: 'failed', label: 'Failed' },
  { value: 'errored', label: 'Errored' },
]

/** `/c/:cid/proposals?status=`: newest first, a page at a time. */
export function ProposalsPage() {
  usePageTitle('Proposals')
  const { api } = useApp()
  const { community, base } = useCommunity()
  const { query } = useLocation()
  const status = query.get('status') ?? ''
  const listPath = (before?: number) => {
    const params = new URLSearchParams({ limit: '50' })
    if (status !== '') {
      params.set('status', status)
    }
    if (before !== undefined) {
      params.set('before', String(before))
    }
    return `/api/communities/${community.id}/proposals?${params.toString()}`
  }
  const firstPage = useResource(listPath(), (signal) => api.get<ProposalPageJson>(listPath(), signal))

  return (
    <>
      <h1>Proposals</h1>
      <div className="field inline-field">
        <label htmlFor="proposal-status">Status</label>
        <select
          id="proposal-status"
          value={status}
          onChange={(e) =>
            navigate(e.target.value === '' ? `${base}/proposals` : `${base}/proposals?status=${e.target.value}`, {
              replace: true,
            })
          }
        >
          {statuses.map((s) => (
            <option key={s.value} value={s.value}>
              {s.label}
            </option>
          ))}
        </select>
      </div>
      <ResourceView resource={firstPage}>
        {(page) => <Pages key={listPath()} first={page} base={base} loadPage={(b) => api.get(listPath(b))} />}
      </ResourceView>
    </>
  )
}

function Pages(props: {
  first: ProposalPageJson
  base: string
  loadPage: (before: number) => Promise<ProposalPageJson>
}) {
  const [more, setMore] = useState<ProposalSummaryJson[]>([])
  const [nextBefore, setNextBefore] = useState(props.first.nextBefore)
  const { busy, error, run } = useSubmit()

  async function older(before: number) {
    await run(async () => {
      const page = await props.loadPage(before)
      setMore((items) => [...items, ...page.items])
      setNextBefore(page.nextBefore)
    })
  }

  return (
    <>
      <ProposalList items={[...props.first.items, ...more]} base={props.base} empty="No proposals." />
      <ErrorText text={error} />
      {nextBefore !== null && (
        <button type="button" className="button-secondary" disabled={busy} onClick={() => void older(nextBefore)}>
          Older
        </button>
      )}
    </>
  )
}
