import type { ProposeResultJson } from '../../../src/server/presenters.ts'

const labels: Record<ProposeResultJson['status'], string> = {
  proposed: 'Pending',
  passed: 'Passed',
  failed: 'Failed',
  errored: 'Errored',
  executed: 'Executed',
  ungoverned: 'Ungoverned',
  duplicate: 'Duplicate',
}

/** A proposal's status as a word (the colour only repeats it). */
export function StatusBadge({ status }: { status: ProposeResultJson['status'] }) {
  return <span className={`badge badge-${status}`}>{labels[status]}</span>
}
