import { useState } from 'react'
import type { ConnectablePlatformJson, IntegrationJson, ProposeResultJson } from '../../../src/server/presenters.ts'
import { useApp, useCommunity } from '../app-context.ts'
import { formatTime } from '../format-time.ts'
import { useLocation } from '../router.ts'
import { useResource } from '../use-resource.ts'
import { useSubmit } from '../use-submit.ts'
import { ActivationText } from './activation-text.tsx'
import { ConnectForm } from './connect-form.tsx'
import { Link } from './link.tsx'
import { ResourceTable } from './resource-table.tsx'
import { ErrorText } from './error-alert.tsx'

/** What proposing an activation or a disconnection did, for the person who clicked. */
interface Outcome {
  text: string
  proposalId: number | null
}

function outcomeOf(result: ProposeResultJson, doing: string): Outcome {
  switch (result.status) {
    case 'executed':
    case 'ungoverned':
    case 'passed':
      return { text: `Done: ${doing}.`, proposalId: null }
    case 'proposed':
      return { text: `Proposed: ${doing} waits for the community's decision.`, proposalId: result.proposalId }
    case 'failed':
    case 'errored':
      return { text: `The proposal to ${doing} ${result.status}.`, proposalId: result.proposalId }
    case 'duplicate':
      return { text: 'This was proposed already.', proposalId: result.proposalId }
  }
}

/** The name of what a connection is to, as its platform keeps it (a workspace, a forum's title, a subreddit), else its id. */
function connectedTo(integration: IntegrationJson): string {
  const { teamName, title, subreddit } = integration.config
  const name = [teamName, title, typeof subreddit === 'string' ? `r/${subreddit}` : undefined].find(
    (n) => typeof n === 'string',
  )
  return typeof name === 'string' ? name : integration.externalId
}

/** What the install told the settings page through its redirect (`?connected=slack&activation=…`). */
function ConnectedNotice({ connectable }: { connectable: ConnectablePlatformJson[] }) {
  const { base } = useCommunity()
  const { query } = useLocation()
  const platform = query.get('connected')
  if (platform === null) {
    return null
  }
  const title = connectable.find((c) => c.platform === platform)?.title ?? platform
  const proposal = query.get('proposal')
  return (
    <div role="status" className="alert alert-success">
      <p>
        <strong>{title} is connected.</strong>{' '}
        <ActivationText
          activation={query.get('activation')}
          proposal={proposal === null || !/^\d+$/.test(proposal) ? null : Number(proposal)}
          refusal={query.get('reason')}
        />
      </p>
      <p>
        Your community&apos;s policies now govern {title} actions too. Starter kits only set up a new community; to add
        policies for {title}, <Link href={`${base}/policies`}>go to Policies</Link>.
      </p>
    </div>
  )
}

/** Settings › Integrations: connected platforms, connecting one, switching one on or off (both governed). */
export function IntegrationsSection() {
  const { api } = useApp()
  const { community, base } = useCommunity()
  const path = `/api/communities/${community.id}/integrations`
  const integrations = useResource(path, (signal) => api.get<IntegrationJson[]>(path, signal))
  const connectablePath = `${path}/connectable`
  const connectable = useResource(connectablePath, (signal) =>
    api.get<ConnectablePlatformJson[]>(connectablePath, signal),
  )
  const [outcome, setOutcome] = useState<Outcome | null>(null)
  const { busy, error, run } = useSubmit()
  /** The platform whose connect form is open. */
  const [formOf, setFormOf] = useState<string | null>(null)

  async function propose(integration: IntegrationJson, type: 'addIntegration' | 'removeIntegration') {
    setOutcome(null)
    const doing = `${type === 'addIntegration' ? 'activating' : 'disconnecting'} ${integration.platform}`
    await run(async () => {
      const result = await api.post<ProposeResultJson>(`/api/communities/${community.id}/actions`, {
        type: `constitution.${type}`,
        params: { integrationId: integration.id },
      })
      setOutcome(outcomeOf(result, doing))
      integrations.reload()
    })
  }

  const connected = new Set(integrations.data?.map((i) => i.platform) ?? [])
  const opened = connectable.data?.find((c) => c.platform === formOf)
  return (
    <section aria-labelledby="integrations-heading">
      <h2 id="integrations-heading">Integrations</h2>
      <p>
        <Link href={`${base}/metagov`}>Metagov config</Link>: plugins for Open Collective, Loomio, SourceCred, GitHub…
      </p>
      {connectable.data && <ConnectedNotice connectable={connectable.data} />}
      <div aria-live="polite">
        {outcome && (
          <p className="alert alert-success">
            {outcome.text}
            {outcome.proposalId !== null && (
              <>
                {' '}
                <Link href={`${base}/proposals/${outcome.proposalId}`}>See the proposal</Link>
              </>
            )}
          </p>
        )}
      </div>
      <ErrorText text={error} />
      <ResourceTable
        resource={integrations}
        columns={['Platform', 'Connected to', 'Active', 'Since']}
        empty="No integrations connected yet"
        row={(i) => (
          <tr key={i.id}>
            <th scope="row">{i.platform}</th>
            <td>{connectedTo(i)}</td>
            <td>{i.active ? 'Active' : 'Inactive'}</td>
            <td>{formatTime(i.createdAt)}</td>
            <td>
              <button
                type="button"
                className="button-secondary"
                disabled={busy}
                onClick={() => void propose(i, i.active ? 'removeIntegration' : 'addIntegration')}
              >
                {i.active ? 'Disconnect' : 'Activate'}
                <span className="visually-hidden"> {i.platform}</span>
              </button>
            </td>
          </tr>
        )}
      />
      {connectable.data && connectable.data.length > 0 && (
        <p className="actions">
          {connectable.data.map((c) => {
            const label = connected.has(c.platform) ? `Reconnect ${c.title}` : `Connect ${c.title}`
            return c.installUrl !== undefined ? (
              // A full page load: the platform's install route redirects to its OAuth page.
              <a key={c.platform} className="button" href={c.installUrl}>
                {label}
              </a>
            ) : (
              <button
                key={c.platform}
                type="button"
                aria-expanded={formOf === c.platform}
                onClick={() => setFormOf(formOf === c.platform ? null : c.platform)}
              >
                {label}
              </button>
            )
          })}
        </p>
      )}
      {opened?.form && (
        <ConnectForm key={opened.platform} connectable={opened} form={opened.form} onConnected={integrations.reload} />
      )}
    </section>
  )
}
