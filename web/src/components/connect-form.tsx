import { useState, type FormEvent } from 'react'
import type { ConnectablePlatformJson, ConnectFormJson, FormConnectionJson } from '../../../src/server/presenters.ts'
import { useApp, useCommunity } from '../app-context.ts'
import { useSubmit } from '../use-submit.ts'
import { ActivationText } from './activation-text.tsx'
import { CopyField } from './copy-field.tsx'
import { ErrorText } from './error-alert.tsx'

type Values = Record<string, string | boolean>

function initialValues(form: ConnectFormJson): Values {
  return Object.fromEntries(form.fields.map((f) => [f.name, f.type === 'checkbox' ? false : '']))
}

/** One field of a platform's connect form, with its hint. */
function FormField({
  id,
  field,
  value,
  onChange,
}: {
  id: string
  field: ConnectFormJson['fields'][number]
  value: string | boolean
  onChange: (value: string | boolean) => void
}) {
  const hintId = field.hint === undefined ? undefined : `${id}-hint`
  const hint = hintId && (
    <p id={hintId} className="hint">
      {field.hint}
    </p>
  )
  if (field.type === 'checkbox') {
    return (
      <div className="checkbox">
        <input
          id={id}
          type="checkbox"
          checked={value === true}
          aria-describedby={hintId}
          onChange={(e) => onChange(e.target.checked)}
        />
        <label htmlFor={id}>{field.label}</label>
        {hint}
      </div>
    )
  }
  return (
    <div className="field">
      <label htmlFor={id}>{field.label}</label>
      <input
        id={id}
        type={field.type}
        required
        autoComplete={field.type === 'password' ? 'off' : undefined}
        placeholder={field.placeholder}
        aria-describedby={hintId}
        value={typeof value === 'string' ? value : ''}
        onChange={(e) => onChange(e.target.value)}
      />
      {hint}
    </div>
  )
}

/** What connecting did: the activation, the people imported, and the webhook to make on the platform. */
function Connected({ title, platform, result }: { title: string; platform: string; result: FormConnectionJson }) {
  const { activation, webhook } = result
  return (
    <div role="status" className="alert alert-success">
      <p>
        <strong>{title} is connected.</strong>{' '}
        <ActivationText
          activation={activation.status}
          proposal={'proposalId' in activation ? activation.proposalId : null}
          refusal={'code' in activation ? activation.code : null}
        />{' '}
        {result.members === 1 ? '1 person was imported.' : `${result.members} people were imported.`}
      </p>
      {webhook?.created === true && <p>PolicyKit created the webhook in {title} itself: there is nothing to enter.</p>}
      {webhook && webhook.created !== true && (
        <>
          <p>
            Now make the webhook in {title}
            {webhook.error === undefined ? '' : ` (PolicyKit could not make it: ${webhook.error})`}: payload URL and
            secret as below, content type <code>{webhook.contentType}</code>, every event.
          </p>
          <CopyField id={`${platform}-webhook-url`} label="Webhook payload URL" value={webhook.url} />
          <CopyField id={`${platform}-webhook-secret`} label="Webhook secret" value={webhook.secret} />
        </>
      )}
    </div>
  )
}

/**
 * Connecting a platform with a form (an API key rather than OAuth): the server checks what is
 * entered with the platform before storing anything and proposes switching it on.
 */
export function ConnectForm({
  connectable,
  form,
  onConnected,
}: {
  connectable: ConnectablePlatformJson
  form: ConnectFormJson
  onConnected: () => void
}) {
  const { api } = useApp()
  const { community } = useCommunity()
  const [values, setValues] = useState<Values>(() => initialValues(form))
  const [result, setResult] = useState<FormConnectionJson | null>(null)
  const { busy, error, run } = useSubmit()
  const { platform, title } = connectable

  async function connect(event: FormEvent) {
    event.preventDefault()
    setResult(null)
    await run(async () => {
      setResult(await api.post<FormConnectionJson>(form.path, { community: community.id, ...values }))
      setValues(initialValues(form))
      onConnected()
    })
  }

  const headingId = `connect-${platform}-heading`
  return (
    <section aria-labelledby={headingId}>
      <h3 id={headingId}>Connect {title}</h3>
      <p className="hint">{form.intro}</p>
      <form className="form" onSubmit={(e) => void connect(e)}>
        {form.fields.map((field) => (
          <FormField
            key={field.name}
            id={`connect-${platform}-${field.name}`}
            field={field}
            value={values[field.name] ?? ''}
            onChange={(value) => setValues((v) => ({ ...v, [field.name]: value }))}
          />
        ))}
        <button type="submit" disabled={busy}>
          {busy ? `Checking with ${title}…` : `Connect ${title}`}
        </button>
      </form>
      <ErrorText text={error} />
      <div aria-live="polite">{result && <Connected title={title} platform={platform} result={result} />}</div>
    </section>
  )
}
