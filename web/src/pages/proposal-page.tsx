import { useEffect, useState } from 'react'
import type { JsonValue } from '../../../src/domain/json.ts'
import type { ProposalDetailJson } from '../../../src/server/presenters.ts'
import { useApp, useCommunity } from '../app-context.ts'
import { ErrorAlert, ErrorText } from '../components/error-alert.tsx'
import { Link } from '../components/link.tsx'
import { ParamsView } from '../components/params-view.tsx'
import { StatusBadge } from '../components/status-badge.tsx'
import { UnifiedDiff } from '../components/unified-diff.tsx'
import { VoteTally } from '../components/vote-tally.tsx'
import { formatTime } from '../format-time.ts'
import { usePageTitle } from '../use-page-title.ts'
import { useSubmit } from '../use-submit.ts'

const pollMs = 3000

function voteText(value: JsonValue | null): string {
  if (value === true) {
    return 'Yes'
  }
  if (value === false) {
    return 'No'
  }
  if (value === null) {
    return 'You have not voted'
  }
  return typeof value === 'string' ? value : JSON.stringify(value)
}

/** `/c/:cid/proposals/:pid`: re-read every 3 s while the proposal is pending. */
export function ProposalPage({ proposalId }: { proposalId: number }) {
  const [detail, setDetail] = useState<ProposalDetailJson | null>(null)
  // Routes take the id; people know the proposal by its number in the community.
  usePageTitle(detail === null ? 'Proposal' : `Proposal #${detail.number}`)
  const { api } = useApp()
  const { community } = useCommunity()
  const path = `/api/communities/${community.id}/proposals/${proposalId}`
  const [loadError, setLoadError] = useState<unknown>(null)
  const [generation, setGeneration] = useState(0)

  useEffect(() => {
    const controller = new AbortController()
    let timer: ReturnType<typeof setTimeout> | undefined
    async function load() {
      try {
        const next = await api.get<ProposalDetailJson>(path, controller.signal)
        setDetail(next)
        setLoadError(null)
        if (next.status === 'proposed') {
          timer = setTimeout(() => void load(), pollMs)
        }
      } catch (e) {
        if (!controller.signal.aborted) {
          setLoadError(e)
        }
      }
    }
    void load()
    return () => {
      controller.abort()
      clearTimeout(timer)
    }
  }, [api, path, generation])

  return (
    <>
      <h1>{detail === null ? 'Proposal' : `Proposal #${detail.number}`}</h1>
      {loadError !== null && (
        <ErrorAlert error={loadError}>
          <button type="button" onClick={() => setGeneration((g) => g + 1)}>
            Try again
          </button>
        </ErrorAlert>
      )}
      {detail === null ? (
        loadError === null && (
          <p role="status" className="muted">
            Loading…
          </p>
        )
      ) : (
        <ProposalDetail detail={detail} path={path} onChange={setDetail} />
      )}
    </>
  )
}

function ProposalDetail({
  detail,
  path,
  onChange,
}: {
  detail: ProposalDetailJson
  path: string
  onChange: (detail: ProposalDetailJson) => void
}) {
  const { base } = useCommunity()
  const { action, policy } = detail
  return (
    <div className="proposal">
      <p className="proposal-title">{detail.title}</p>
      <dl className="facts">
        <div>
          <dt>Status</dt>
          <dd role="status">
            <StatusBadge status={detail.status} />
          </dd>
        </div>
        <div>
          <dt>Action</dt>
          <dd>
            <code>{action.type}</code>
          </dd>
        </div>
        {detail.subject !== null && (
          <div>
            <dt>About</dt>
            <dd>
              <Link href={`${base}/${detail.subject.path}`}>{detail.subject.name}</Link>
            </dd>
          </div>
        )}
        <div>
          <dt>Proposed by</dt>
          <dd>{action.initiator ? `${action.initiator.displayName} (${action.initiator.username})` : 'PolicyKit'}</dd>
        </div>
        <div>
          <dt>Proposed</dt>
          <dd>{formatTime(detail.proposedAt)}</dd>
        </div>
        {detail.decidedAt !== null && (
          <div>
            <dt>Decided</dt>
            <dd>{formatTime(detail.decidedAt)}</dd>
          </div>
        )}
        <div>
          <dt>Governing policy</dt>
          <dd>
            <Link href={`${base}/policies/${policy.id}`}>{policy.name}</Link> (version {policy.version})
          </dd>
        </div>
        <div>
          <dt>Execution</dt>
          <dd>{action.executionState}</dd>
        </div>
        <RelatedProposals detail={detail} />
      </dl>

      <section aria-labelledby="vote-heading">
        <h2 id="vote-heading">Vote</h2>
        <VoteSection detail={detail} path={path} onChange={onChange} />
      </section>

      <section aria-labelledby="params-heading">
        <h2 id="params-heading">What is proposed</h2>
        {detail.diff !== null && detail.subject !== null && (
          <UnifiedDiff diff={detail.diff} caption={`Changes to ${detail.subject.name} against the version in force`} />
        )}
        <ParamsView params={action.params} />
      </section>

      <section aria-labelledby="timeline-heading">
        <h2 id="timeline-heading">Timeline</h2>
        {detail.timeline.length === 0 ? (
          <p className="muted">Nothing yet.</p>
        ) : (
          <ol className="timeline">
            {detail.timeline.map((entry, i) => (
              <li key={i}>
                <time dateTime={new Date(entry.at).toISOString()}>{formatTime(entry.at)}</time> {entry.text}
              </li>
            ))}
          </ol>
        )}
      </section>

      {detail.logs.length > 0 && (
        <section aria-labelledby="log-heading">
          <h2 id="log-heading">Evaluation log</h2>
          <div className="table-scroll">
            <table>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Level</th>
                  <th scope="col">Message</th>
                  <th scope="col">Details</th>
                </tr>
              </thead>
              <tbody>
                {detail.logs.map((log) => (
                  <tr key={log.id} className={`log-${log.level}`}>
                    <td>{formatTime(log.createdAt)}</td>
                    <td>{log.level}</td>
                    <td>{log.message}</td>
                    <td>{log.details && <code className="details">{JSON.stringify(log.details)}</code>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
    </div>
  )
}

/**
 * The other proposals of the same action: the one that replaced an errored proposal (the next
 * eligible policy's), the errored one it replaced, or a trigger's other policies.
 */
function RelatedProposals({ detail }: { detail: ProposalDetailJson }) {
  const { base } = useCommunity()
  const later = detail.related.filter((r) => r.id > detail.id)
  const erroredBefore = detail.related.filter((r) => r.id < detail.id && r.status === 'errored')
  const others = detail.related.filter((r) => !later.includes(r) && !erroredBefore.includes(r))
  const groups: [string, ProposalDetailJson['related']][] = [
    [detail.status === 'errored' ? 'Replaced by' : 'Later proposals of this action', later],
    ['Replaces (errored)', erroredBefore],
    ['Other proposals of this action', others],
  ]
  return (
    <>
      {groups
        .filter(([, list]) => list.length > 0)
        .map(([label, list]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>
              {list.map((r, i) => (
                <span key={r.id}>
                  {i > 0 && ', '}
                  <Link href={`${base}/proposals/${r.id}`}>Proposal #{r.number}</Link> ({r.policy.name}, {r.status})
                </span>
              ))}
            </dd>
          </div>
        ))}
    </>
  )
}

function VoteSection({
  detail,
  path,
  onChange,
}: {
  detail: ProposalDetailJson
  path: string
  onChange: (detail: ProposalDetailJson) => void
}) {
  const { api } = useApp()
  const { busy, error, done, run } = useSubmit()
  const { vote } = detail

  async function cast(value: boolean | string) {
    await run(async () => {
      onChange(await api.put<ProposalDetailJson>(`${path}/vote`, { value }))
    })
  }

  if (vote === null) {
    return (
      <>
        <p className="muted">No vote is hosted in the dashboard for this proposal.</p>
        {detail.tally.total > 0 && <VoteTally tally={detail.tally} />}
      </>
    )
  }
  return (
    <>
      <p className="question">{vote.text}</p>
      {vote.url !== null && !vote.url.startsWith('/') && (
        <p>
          This vote is held on {vote.platform}: <a href={vote.url}>open it there</a>.
        </p>
      )}
      <VoteTally tally={detail.tally} options={vote.options} />
      {detail.stillToVote !== null && (
        <p className="still-to-vote">
          {detail.stillToVote.length === 0
            ? 'Everyone who may vote has voted.'
            : `Still to vote (${detail.stillToVote.length}): ${detail.stillToVote.map((m) => m.displayName).join(', ')}`}
        </p>
      )}
      <p>
        Your vote: <strong>{voteText(vote.myVote)}</strong>
      </p>
      {vote.canVote && (
        <div className="actions" role="group" aria-label="Cast your vote">
          {vote.options === null ? (
            <>
              <button type="button" disabled={busy} onClick={() => void cast(true)}>
                Vote yes
              </button>
              <button type="button" disabled={busy} onClick={() => void cast(false)}>
                Vote no
              </button>
            </>
          ) : (
            vote.options.map((option) => (
              <button key={option} type="button" disabled={busy} onClick={() => void cast(option)}>
                Vote for {option}
              </button>
            ))
          )}
        </div>
      )}
      <div aria-live="polite">{done && <p className="alert alert-success">Your vote was recorded.</p>}</div>
      <ErrorText text={error} />
      {detail.votes.length > 0 && (
        <div className="table-scroll">
          <table>
            <caption>Votes cast</caption>
            <thead>
              <tr>
                <th scope="col">Member</th>
                <th scope="col">Vote</th>
                <th scope="col">When</th>
              </tr>
            </thead>
            <tbody>
              {detail.votes.map((v) => (
                <tr key={v.memberId}>
                  <th scope="row">{v.displayName}</th>
                  <td>{voteText(v.value)}</td>
                  <td>{formatTime(v.castAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  )
}
