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

/** A message already worded for the person using the page, as an error announced at once; nothing while it is empty. */
export function ErrorText({ text }: { text: string }) {
  return text ? (
    <p role="alert" className="alert alert-error">
      {text}
    </p>
  ) : null
}
