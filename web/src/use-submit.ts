import { useState } from 'react'
import { errorMessage } from './api.ts'

/**
 * A request made from a form or a button: `busy` while it runs (its button disabled), what went
 * wrong, worded for the person using the page, and `done` once it succeeded. Each `run` clears
 * the last outcome first.
 */
export function useSubmit() {
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
      setError(errorMessage(e))
    } finally {
      setBusy(false)
    }
  }

  return { busy, error, done, run }
}
