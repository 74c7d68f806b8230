import { useState } from 'react'

/** A read-only text field with a Copy button (invite links, new API tokens). */
export function CopyField({ id, label, value }: { id: string; label: string; value: string }) {
  const [status, setStatus] = useState('')

  async function copy() {
    try {
      await navigator.clipboard.writeText(value)
      setStatus('Copied.')
    } catch {
      setStatus('Could not copy: select the text and copy it yourself.')
    }
  }

  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="copy-field">
        <input id={id} readOnly value={value} onFocus={(e) => e.target.select()} className="mono" />
        <button type="button" className="button-secondary" onClick={() => void copy()}>
          Copy
        </button>
      </div>
      <p aria-live="polite" className="hint">
        {status}
      </p>
    </div>
  )
}
