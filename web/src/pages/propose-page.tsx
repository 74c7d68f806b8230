import { useState, type FormEvent } from 'react'
import type { JsonObject } from '../../../src/domain/json.ts'
import type { ActionTypeJson, PolicySummaryJson, ProposeResultJson } from '../../../src/server/presenters.ts'
import { errorMessage } from '../api.ts'
import { useApp, useCommunity } from '../app-context.ts'
import { Link } from '../components/link.tsx'
import { ParamsForm } from '../components/params-form.tsx'
import { ResourceView } from '../components/resource-view.tsx'
import { loadPrefill } from '../prefill.ts'
import { followResult } from '../propose-result.ts'
import { navigate, useLocation } from '../router.ts'
import { fieldsOf } from '../schema-fields.ts'
import { usePageTitle } from '../use-page-title.ts'
import { useResource } from '../use-resource.ts'
import { useSubmit } from '../use-submit.ts'
import { ErrorText } from '../components/error-alert.tsx'

/** `/c/:cid/propose?type=…`: any action type the member may propose, with a form made from its params' schema. */
export function ProposePage() {
  usePageTitle('Propose')
  const { api } = useApp()
  const { community, base } = useCommunity()
  const { query } = useLocation()
  const chosen = query.get('type') ?? ''
  const path = `/api/communities/${community.id}/action-types`
  const types = useResource(path, (signal) => api.get<ActionTypeJson[]>(path, signal))

  // Params given in the URL (`?type=constitution.assignRole&memberId=3`) fill the form.
  const preset: Record<string, string> = {}
  query.forEach((value, key) => {
    if (key !== 'type') {
      preset[key] = value
    }
  })

  return (
    <>
      <h1>Propose</h1>
      <ResourceView resource={types}>
        {(all) => {
          const proposable = all.filter((t) => t.canPropose)
          const platforms = [...new Set(proposable.map((t) => t.platform))]
          const type = proposable.find((t) => t.type === chosen)
          if (proposable.length === 0) {
            return <p>You may not propose any action in this community.</p>
          }
          return (
            <>
              <div className="field">
                <label htmlFor="action-type">Action type</label>
                <select
                  id="action-type"
                  value={type?.type ?? ''}
                  onChange={(e) =>
                    navigate(`${base}/propose${e.target.value ? `?type=${encodeURIComponent(e.target.value)}` : ''}`, {
                      replace: true,
                    })
                  }
                >
                  <option value="">Choose an action</option>
                  {platforms.map((platform) => (
                    <optgroup key={platform} label={platform}>
                      {proposable
                        .filter((t) => t.platform === platform)
                        .map((t) => (
                          <option key={t.type} value={t.type}>
                            {t.type}
                          </option>
                        ))}
                    </optgroup>
                  ))}
                </select>
              </div>
              {chosen !== '' && !type && <ErrorText text={`You cannot propose ${chosen} here.`} />}
              {type && <ActionForm key={`${type.type}?${query.toString()}`} type={type} preset={preset} />}
            </>
          )
        }}
      </ResourceView>
    </>
  )
}

function ActionForm({ type, preset }: { type: ActionTypeJson; preset: Record<string, string> }) {
  const { api } = useApp()
  const { community, base } = useCommunity()
  /** What the form found wrong before sending: shown in place of a refusal, until the next proposal. */
  const [invalid, setInvalid] = useState('')
  const [message, setMessage] = useState('')
  const { busy, error: refusal, run } = useSubmit((e) => `Refused: ${errorMessage(e)}`)
  const error = invalid || refusal
  const prefill = useResource(`${type.type}?${JSON.stringify(preset)}`, (signal) =>
    loadPrefill(api, community, type.type, preset, signal),
  )

  async function propose(params: JsonObject) {
    setInvalid('')
    setMessage('')
    await run(async () => {
      const result = await api.post<ProposeResultJson>(`/api/communities/${community.id}/actions`, {
        type: type.type,
        params,
      })
      setMessage(followResult(base, result) ?? '')
    })
  }

  const feedback = (
    <>
      <ErrorText text={error} />
      <div aria-live="polite">{message && <p className="alert alert-success">{message}</p>}</div>
    </>
  )

  let form
  if (type.type === 'constitution.addPolicy') {
    form = (
      <p>
        New policies are written in the policy editor, which checks the code as you type:{' '}
        <Link href={`${base}/policies/new`}>write a new policy</Link>.
      </p>
    )
  } else if (type.type === 'constitution.changePolicy') {
    form = <ChoosePolicy />
  } else {
    const fields = fieldsOf(type.paramsSchema)
    form =
      fields.length === 0 && type.paramsSchema['properties'] === undefined ? (
        <JsonParamsForm busy={busy} onSubmit={(p) => void propose(p)} onInvalid={setInvalid} />
      ) : (
        <ResourceView resource={prefill}>
          {(values) => (
            <ParamsForm
              fields={fields}
              preset={values}
              busy={busy}
              onSubmit={(p) => void propose(p)}
              onInvalid={setInvalid}
            />
          )}
        </ResourceView>
      )
  }

  return (
    <section aria-labelledby="action-heading">
      <h2 id="action-heading">{type.type}</h2>
      <p>{type.description}</p>
      {type.canExecute && (
        <p className="hint">You may carry this out yourself: it will be executed at once, without a vote.</p>
      )}
      {form}
      {feedback}
    </section>
  )
}

/** changePolicy goes through the policy editor: pick the policy to change. */
function ChoosePolicy() {
  const { api } = useApp()
  const { community, base } = useCommunity()
  const path = `/api/communities/${community.id}/policies`
  const policies = useResource(path, (signal) => api.get<PolicySummaryJson[]>(path, signal))
  return (
    <>
      <p>Changes to a policy are written in the policy editor. Choose the policy to change:</p>
      <ResourceView resource={policies}>
        {(list) => (
          <ul>
            {list.map((p) => (
              <li key={p.id}>
                <Link href={`${base}/policies/${p.id}/edit`}>Change {p.name}</Link>
              </li>
            ))}
          </ul>
        )}
      </ResourceView>
    </>
  )
}

/** For an action type whose params have no schema the form can follow. */
function JsonParamsForm(props: {
  busy: boolean
  onSubmit: (params: JsonObject) => void
  onInvalid: (message: string) => void
}) {
  const [text, setText] = useState('{}')

  function submit(event: FormEvent) {
    event.preventDefault()
    try {
      const parsed: unknown = JSON.parse(text)
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        props.onInvalid('Params: must be a JSON object')
        return
      }
      props.onSubmit(parsed as JsonObject)
    } catch (e) {
      props.onInvalid(`Params: not valid JSON (${errorMessage(e)})`)
    }
  }

  return (
    <form className="form" onSubmit={submit}>
      <div className="field">
        <label htmlFor="params-json">Params (JSON)</label>
        <textarea
          id="params-json"
          className="mono"
          rows={8}
          spellCheck={false}
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
      </div>
      <button type="submit" disabled={props.busy}>
        Propose
      </button>
    </form>
  )
}
