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

/**
 * A message already worded for the person using the page (`text`, or `children` when it needs
 * markup), as an error announced at once; nothing while it is empty.
 */
export function ErrorText({ text, children }: { text?: string; children?: ReactNode }) {
  const message = text || children
  return message ? (
    <p role="alert" className="alert alert-error">
      {message}
    </p>
  ) : null
}
