import { useEffect, useState } from 'react'
import { ApiError, errorMessage } from '../api.ts'
import { useApp, useCommunity } from '../app-context.ts'
import { ErrorText } from '../components/error-alert.tsx'
import { Link } from '../components/link.tsx'
import { usePageTitle } from '../use-page-title.ts'

type JsonSchema = { properties?: Record<string, { type?: string; description?: string }>; required?: string[] }

interface ConfigJson {
  connected: boolean
  active: boolean
  config: { name: string; readable_name: string; plugins: { name: string; config: Record<string, unknown> }[] } | null
  schemas: Record<string, JsonSchema>
}

interface SaveJson {
  status: string
  proposalId?: number
  plan: { enable: string[]; update: string[]; disable: string[] }
}

/** Problems the page can see before anything is sent: JSON, shape, and each plugin's required fields and types. */
function localProblems(text: string, schemas: Record<string, JsonSchema>): string[] {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (e) {
    return [`not JSON: ${errorMessage(e)}`]
  }
  const plugins = (value as { plugins?: unknown } | null)?.plugins
  if (!Array.isArray(plugins)) {
    return ['"plugins" must be a list of { "name", "config" }']
  }
  const problems: string[] = []
  for (const plugin of plugins as { name?: unknown; config?: Record<string, unknown> }[]) {
    const name = typeof plugin.name === 'string' ? plugin.name : '?'
    const schema = schemas[name]
    if (!schema) {
      problems.push(`${name}: the gateway has no such plugin`)
      continue
    }
    const config = plugin.config ?? {}
    for (const field of schema.required ?? []) {
      if (!(field in config) && !(name === 'opencollective' && field === 'access_token' && 'api_key' in config)) {
        problems.push(`${name}: ${field} is required`)
      }
    }
    for (const [field, given] of Object.entries(config)) {
      const type = schema.properties?.[field]?.type
      const actual = Array.isArray(given)
        ? 'array'
        : typeof given === 'number' && Number.isInteger(given)
          ? 'integer'
          : typeof given
      if (type && type !== actual && !(type === 'number' && actual === 'integer')) {
        problems.push(`${name}: ${field} must be ${type === 'integer' ? 'an integer' : `a ${type}`}`)
      }
    }
  }
  return problems
}

/** `/c/:cid/metagov` (and `/metagov/config`): the community's Metagov plugins, as JSON, saved as a governed change. */
export function MetagovConfigPage() {
  usePageTitle('Metagov')
  const { api } = useApp()
  const { community, base, can } = useCommunity()
  const path = `/platforms/metagov/config?community=${community.id}`
  const [page, setPage] = useState<ConfigJson | null>(null)
  const [text, setText] = useState('')
  const [message, setMessage] = useState<{ kind: 'error' | 'success' | 'warning'; text: string } | null>(null)
  const [recreate, setRecreate] = useState(false)
  const [busy, setBusy] = useState(false)

  async function load() {
    try {
      const loaded = await api.get<ConfigJson>(path)
      setPage(loaded)
      setText(JSON.stringify(loaded.config ?? { plugins: [] }, null, 2))
    } catch (e) {
      setMessage({ kind: 'error', text: errorMessage(e) })
    }
  }
  // Loaded once per community.
  useEffect(() => {
    void load()
  }, [path])

  if (!can('manage_integrations')) {
    return <ErrorText text="Only members who manage integrations can see the Metagov config." />
  }

  async function connect() {
    setMessage(null)
    setBusy(true)
    try {
      await api.post('/platforms/metagov/connect', { community: community.id, readableName: community.name })
      await load()
    } catch (e) {
      setMessage({ kind: 'error', text: errorMessage(e) })
    } finally {
      setBusy(false)
    }
  }

  async function save() {
    if (!page) {
      return
    }
    setMessage(null)
    const problems = localProblems(text, page.schemas)
    if (problems.length > 0) {
      setMessage({ kind: 'error', text: problems.join('; ') })
      return
    }
    setBusy(true)
    try {
      const result = await api.post<SaveJson>('/platforms/metagov/config', {
        community: community.id,
        config: JSON.parse(text) as unknown,
        confirmRecreate: recreate,
      })
      setRecreate(false)
      setMessage({
        kind: 'success',
        text:
          result.status === 'proposed'
            ? `Proposed (proposal ${result.proposalId ?? ''}): the change waits for the community's decision.`
            : `Saved (${result.status}).`,
      })
      await load()
    } catch (e) {
      if (e instanceof ApiError && e.code === 'conflict' && /re-creates/.test(e.message)) {
        setRecreate(true)
        setMessage({ kind: 'warning', text: e.message })
      } else {
        setMessage({ kind: 'error', text: errorMessage(e) })
      }
    } finally {
      setBusy(false)
    }
  }

  return (
    <>
      <h1>Metagov</h1>
      {message && (
        <p role="alert" className={`alert alert-${message.kind}`}>
          {message.text}
        </p>
      )}
      {page && !page.connected && (
        <p>
          Metagov is not set up for this community.{' '}
          <button type="button" onClick={() => void connect()} disabled={busy}>
            Set up Metagov
          </button>
        </p>
      )}
      {page?.connected && !page.active && (
        <p className="muted">
          Switching Metagov on is proposed: see <Link href={`${base}/proposals`}>the proposals</Link>.
        </p>
      )}
      {page?.connected && (
        <>
          <label htmlFor="metagov-config">
            Plugins (JSON; saved secrets show as ********: leave them to keep them)
          </label>
          <textarea
            id="metagov-config"
            rows={20}
            spellCheck={false}
            value={text}
            onChange={(e) => {
              setText(e.target.value)
              setRecreate(false)
            }}
          />
          <p className="actions">
            <button type="button" onClick={() => void save()} disabled={busy || !page.active}>
              {recreate ? 'Save anyway (re-creates the plugins named above)' : 'Save (proposes the change)'}
            </button>
          </p>
          <h2>Plugins and their fields</h2>
          <dl className="metagov-fields">
            {Object.entries(page.schemas)
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([name, schema]) => (
                <div key={name}>
                  <dt>{name}</dt>
                  <dd>
                    {Object.entries(schema.properties ?? {}).map(([field, info]) => (
                      <div key={field}>
                        <code>{field}</code> ({info.type ?? 'any'}
                        {schema.required?.includes(field) ? ', required' : ''})
                        {info.description ? `: ${info.description}` : ''}
                      </div>
                    ))}
                  </dd>
                </div>
              ))}
          </dl>
        </>
      )}
    </>
  )
}
