import type { ReactNode } from 'react'
import { errorMessage } from '../api.ts'

/** An error for the person using the page, announced at once (role="alert"). */
export function ErrorAlert({ error, children }: { error: unknown; children?: ReactNode }) {
  return (
    <div className="alert alert-error" role="alert">
      <p>{errorMessage(error)}</p>
      {children}
    </div>
  )
}
