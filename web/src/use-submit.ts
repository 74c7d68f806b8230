import { useState } from 'react'
import { errorMessage } from './api.ts'

/**
 * A request made from a form or a button: `busy` while it runs (its button disabled), and what
 * went wrong, worded for the person using the page. Each `run` clears the last error first.
 */
export function useSubmit() {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')

  async function run(request: () => Promise<void>): Promise<void> {
    setBusy(true)
    setError('')
    try {
      await request()
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setBusy(false)
    }
  }

  return { busy, error, run }
}
