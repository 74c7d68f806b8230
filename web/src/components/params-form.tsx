import { useState, type FormEvent } from 'react'
import type { JsonObject } from '../../../src/domain/json.ts'
import { buildParams, initialValues, type FormValues, type SchemaField } from '../schema-fields.ts'
import { ReferenceSelect } from './reference-select.tsx'

const hints = new Map([
  [
    'permissions',
    'One per line: propose:<type>, execute:<type> (with * and <platform>.* wildcards), vote, manage_members, manage_integrations, view_logs.',
  ],
  ['sweepSeconds', 'How often pending proposals are re-checked, in seconds (1 to 86400).'],
])

function fieldId(path: string): string {
  return `param-${path.replace(/[^A-Za-z0-9_-]/g, '-')}`
}

interface FieldProps {
  field: SchemaField
  values: FormValues
  nulls: Record<string, boolean>
  setValue: (path: string, value: string | boolean) => void
  setNull: (path: string, isNull: boolean) => void
}

function Field({ field, values, nulls, setValue, setNull }: FieldProps) {
  const id = fieldId(field.path)
  if (field.kind === 'object') {
    return (
      <fieldset>
        <legend>{field.label}</legend>
        {field.fields.map((f) => (
          <Field key={f.path} field={f} values={values} nulls={nulls} setValue={setValue} setNull={setNull} />
        ))}
      </fieldset>
    )
  }
  const hint = [field.description, hints.get(field.name) ?? '', field.kind === 'json' ? 'As JSON.' : '']
    .filter((h) => h !== '')
    .join(' ')
  const hintId = hint === '' ? undefined : `${id}-hint`
  const isNull = field.nullable && nulls[field.path] === true
  const raw = values[field.path]
  const text = typeof raw === 'string' ? raw : ''
  const common = {
    id,
    required: field.required && !isNull,
    disabled: isNull,
    'aria-describedby': hintId,
  }

  if (field.kind === 'boolean') {
    return (
      <div className="checkbox">
        <input
          {...common}
          type="checkbox"
          checked={raw === true}
          onChange={(e) => setValue(field.path, e.target.checked)}
        />
        <label htmlFor={id}>{field.label}</label>
        {hintId && (
          <p id={hintId} className="hint">
            {hint}
          </p>
        )}
      </div>
    )
  }

  let control
  switch (field.kind) {
    case 'string':
      control = field.multiline ? (
        <textarea
          {...common}
          rows={8}
          minLength={field.minLength ?? undefined}
          maxLength={field.maxLength ?? undefined}
          value={text}
          onChange={(e) => setValue(field.path, e.target.value)}
        />
      ) : (
        <input
          {...common}
          minLength={field.minLength ?? undefined}
          maxLength={field.maxLength ?? undefined}
          value={text}
          onChange={(e) => setValue(field.path, e.target.value)}
        />
      )
      break
    case 'number':
      control =
        field.reference && !isNull ? (
          <ReferenceSelect
            id={id}
            reference={field.reference}
            value={text}
            required={field.required}
            describedBy={hintId}
            onChange={(v) => setValue(field.path, v)}
          />
        ) : (
          <input
            {...common}
            type="number"
            step={field.integer ? 1 : 'any'}
            min={field.min ?? undefined}
            max={field.max !== null && field.max < Number.MAX_SAFE_INTEGER ? field.max : undefined}
            value={text}
            onChange={(e) => setValue(field.path, e.target.value)}
          />
        )
      break
    case 'enum':
      control = (
        <select {...common} value={text} onChange={(e) => setValue(field.path, e.target.value)}>
          {!field.required && <option value="">(unchanged)</option>}
          {field.options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      )
      break
    case 'stringList':
    case 'json':
      control = (
        <textarea
          {...common}
          className={field.kind === 'json' ? 'mono' : undefined}
          rows={5}
          spellCheck={false}
          value={text}
          onChange={(e) => setValue(field.path, e.target.value)}
        />
      )
      break
  }

  return (
    <div className="field">
      <label htmlFor={id}>
        {field.label}
        {field.kind === 'stringList' ? ' (one per line)' : ''}
        {!field.required && <span className="optional"> (optional)</span>}
      </label>
      {control}
      {hintId && (
        <p id={hintId} className="hint">
          {hint}
        </p>
      )}
      {field.nullable && (
        <div className="checkbox">
          <input
            id={`${id}-null`}
            type="checkbox"
            checked={isNull}
            onChange={(e) => setNull(field.path, e.target.checked)}
          />
          <label htmlFor={`${id}-null`}>No value for {field.label.toLowerCase()} (null)</label>
        </div>
      )}
    </div>
  )
}

interface ParamsFormProps {
  fields: SchemaField[]
  /** Values from the URL (`?memberId=3`), by field path. */
  preset: Record<string, string>
  busy: boolean
  onSubmit: (params: JsonObject) => void
  onInvalid: (message: string) => void
}

/** A form for an action type's params, generated from their JSON Schema. */
export function ParamsForm({ fields, preset, busy, onSubmit, onInvalid }: ParamsFormProps) {
  const [values, setValues] = useState(() => initialValues(fields, preset))
  const [nulls, setNulls] = useState<Record<string, boolean>>({})

  function submit(event: FormEvent) {
    event.preventDefault()
    let params: JsonObject
    try {
      params = buildParams(fields, values, nulls)
    } catch (e) {
      onInvalid(e instanceof Error ? e.message : String(e))
      return
    }
    onSubmit(params)
  }

  return (
    <form className="form" onSubmit={submit}>
      {fields.map((f) => (
        <Field
          key={f.path}
          field={f}
          values={values}
          nulls={nulls}
          setValue={(path, value) => setValues((v) => ({ ...v, [path]: value }))}
          setNull={(path, isNull) => setNulls((n) => ({ ...n, [path]: isNull }))}
        />
      ))}
      <button type="submit" disabled={busy}>
        Propose
      </button>
    </form>
  )
}
