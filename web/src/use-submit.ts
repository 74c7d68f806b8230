import { useState } from 'react'
import { errorMessage } from './api.ts'

/**
 * A request made from a form or a button: `busy` while it runs (its button disabled), what went
 * wrong, worded for the person using the page (by `describe`, `errorMessage` unless a page words
 * its refusals its own way), and `done` once it succeeded. Each `run` clears the last outcome
 * first. A check made before sending throws inside `request`, so its message shows the same way.
 */
export function useSubmit(describe: (e: unknown) => string = errorMessage) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')
  const [done, setDone] = useState(false)

  async function run(request: () => Promise<void>): Promise<void> {
    setBusy(true)
    setError('')
    setDone(false)
    try {
      await request()
      setDone(true)
    } catch (e) {
      setError(describe(e))
    } finally {
      setBusy(false)
    }
  }

  return { busy, error, done, run }
}
