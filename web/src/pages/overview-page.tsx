import type { OverviewJson } from '../../../src/server/presenters.ts'
import { useApp, useCommunity } from '../app-context.ts'
import { DecisionsChart } from '../components/decisions-chart.tsx'
import { Link } from '../components/link.tsx'
import { ProposalList } from '../components/proposal-list.tsx'
import { ResourceView } from '../components/resource-view.tsx'
import { usePageTitle } from '../use-page-title.ts'
import { useResource } from '../use-resource.ts'

export function OverviewPage() {
  const { api } = useApp()
  const { community, base } = useCommunity()
  usePageTitle(community.name)
  const path = `/api/communities/${community.id}/overview`
  const overview = useResource(path, (signal) => api.get<OverviewJson>(path, signal))
  return (
    <>
      <h1>{community.name}</h1>
      <ResourceView resource={overview}>
        {(o) => (
          <div className="overview">
            {o.waitingForYou.length > 0 && (
              <section aria-labelledby="waiting-heading" className="wide">
                <h2 id="waiting-heading">Waiting for your vote</h2>
                <ProposalList items={o.waitingForYou} base={base} empty="" />
              </section>
            )}
            <section aria-labelledby="pending-heading">
              <h2 id="pending-heading">Pending proposals</h2>
              <ProposalList items={o.pending} base={base} empty="Nothing is waiting for a decision." />
            </section>
            <section aria-labelledby="recent-heading">
              <h2 id="recent-heading">Recent decisions</h2>
              <ProposalList items={o.recentDecisions} base={base} empty="No decisions yet." />
              <p>
                <Link href={`${base}/proposals`}>All proposals</Link>
              </p>
            </section>
            <section aria-labelledby="chart-heading" className="wide">
              <h2 id="chart-heading">Decisions over time</h2>
              <DecisionsChart days={o.decisionsByDay} />
            </section>
          </div>
        )}
      </ResourceView>
    </>
  )
}
