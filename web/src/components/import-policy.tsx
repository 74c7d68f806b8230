import { useState, type FormEvent } from 'react'
import type { ProposeResultJson } from '../../../src/server/presenters.ts'
import { useApp, useCommunity } from '../app-context.ts'
import { followResult } from '../propose-result.ts'
import { useSubmit } from '../use-submit.ts'
import { ErrorText } from './error-alert.tsx'

/** Proposes `constitution.addPolicy` from an exported policy document (a JSON file). */
export function ImportPolicy() {
  const { api } = useApp()
  const { community, base } = useCommunity()
  const [file, setFile] = useState<File | null>(null)
  const [activate, setActivate] = useState(false)
  const [message, setMessage] = useState('')
  const { busy, error, run } = useSubmit()

  async function submit(event: FormEvent) {
    event.preventDefault()
    if (!file) {
      return
    }
    setMessage('')
    await run(async () => {
      let policyDocument: unknown
      try {
        policyDocument = JSON.parse(await file.text())
      } catch {
        throw new Error(`${file.name} is not a JSON file`)
      }
      const result = await api.post<ProposeResultJson>(`/api/communities/${community.id}/policies/import`, {
        document: policyDocument,
        activate,
      })
      setMessage(followResult(base, result) ?? '')
    })
  }

  return (
    <section aria-labelledby="import-heading">
      <h2 id="import-heading">Import a policy</h2>
      <form className="form" onSubmit={(e) => void submit(e)}>
        <p className="hint">Proposes adding a policy exported from PolicyKit (a policykit.policy/1 JSON document).</p>
        <div className="field">
          <label htmlFor="import-file">Policy document</label>
          <input
            id="import-file"
            type="file"
            accept="application/json,.json"
            required
            onChange={(e) => setFile(e.target.files?.[0] ?? null)}
          />
        </div>
        <div className="checkbox">
          <input
            id="import-activate"
            type="checkbox"
            checked={activate}
            onChange={(e) => setActivate(e.target.checked)}
          />
          <label htmlFor="import-activate">Active when added</label>
        </div>
        <ErrorText text={error} />
        <div aria-live="polite">{message && <p className="alert alert-success">{message}</p>}</div>
        <button type="submit" disabled={busy}>
          Propose import
        </button>
      </form>
    </section>
  )
}
