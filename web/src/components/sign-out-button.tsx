import { useState } from 'react'
import { useApp } from '../app-context.ts'
import { errorMessage } from '../api.ts'
import { navigate } from '../router.ts'

export function SignOutButton() {
  const { api, setSession } = useApp()
  const [error, setError] = useState<string | null>(null)

  async function signOut() {
    try {
      await api.delete('/api/session')
      navigate('/login')
      setSession(null)
    } catch (e) {
      setError(errorMessage(e))
    }
  }

  return (
    <>
      <button type="button" className="button-secondary" onClick={() => void signOut()}>
        Sign out
      </button>
      {error && (
        <span role="alert" className="error-text">
          {error}
        </span>
      )}
    </>
  )
}
