import type { ReactNode } from 'react'
import type { Resource } from '../use-resource.ts'
import { ErrorAlert } from './error-alert.tsx'

/** Shows a resource's data, or that it is loading, or why it failed with a way to try again. */
export function ResourceView<T>({ resource, children }: { resource: Resource<T>; children: (data: T) => ReactNode }) {
  switch (resource.state) {
    case 'loading':
      return (
        <p role="status" className="muted">
          Loading…
        </p>
      )
    case 'failed':
      return (
        <ErrorAlert error={resource.error}>
          <button type="button" onClick={resource.reload}>
            Try again
          </button>
        </ErrorAlert>
      )
    case 'ready':
      return <>{children(resource.data)}</>
  }
}
