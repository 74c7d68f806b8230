import type { ProposalSummaryJson } from '../../../src/server/presenters.ts'
import { formatTime } from '../format-time.ts'
import { Link } from './link.tsx'
import { StatusBadge } from './status-badge.tsx'

/** Proposals as a list of links, newest first as given. */
export function ProposalList({ items, base, empty }: { items: ProposalSummaryJson[]; base: string; empty: string }) {
  if (items.length === 0) {
    return <p className="muted">{empty}</p>
  }
  return (
    <ul className="proposal-list">
      {items.map((p) => (
        <li key={p.id}>
          <Link href={`${base}/proposals/${p.id}`}>
            Proposal #{p.number}: {p.title}
          </Link>{' '}
          <StatusBadge status={p.status} />
          <div className="meta">
            {p.action.initiator ? `by ${p.action.initiator.displayName}, ` : ''}
            {p.decidedAt !== null ? `decided ${formatTime(p.decidedAt)}` : `proposed ${formatTime(p.proposedAt)}`}
            {' · '}
            {p.policy.name}
            {p.tally.total > 0 && ` · ${p.tally.total} ${p.tally.total === 1 ? 'vote' : 'votes'}`}
          </div>
        </li>
      ))}
    </ul>
  )
}
