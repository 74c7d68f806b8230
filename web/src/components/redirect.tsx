import { useEffect } from 'react'
import { navigate } from '../router.ts'

/** Replaces the current location (for pages that only send you elsewhere). */
export function Redirect({ to }: { to: string }) {
  useEffect(() => {
    navigate(to, { replace: true })
  }, [to])
  return (
    <p role="status" className="muted">
      Redirecting…
    </p>
  )
}
