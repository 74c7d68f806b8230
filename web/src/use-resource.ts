import { useCallback, useEffect, useState } from 'react'

export type Resource<T> =
  | { state: 'loading'; data: undefined; error: undefined; reload: () => void }
  | { state: 'ready'; data: T; error: undefined; reload: () => void }
  | { state: 'failed'; data: undefined; error: unknown; reload: () => void }

type Result<T> = { key: string; ok: true; data: T } | { key: string; ok: false; error: unknown }

/**
 * Loads data when `key` changes and on `reload()`, cancelling what an earlier load started.
 * `key` names everything `load` depends on (usually the API path). While reloading, the data
 * already loaded stays on the page.
 */
export function useResource<T>(key: string, load: (signal: AbortSignal) => Promise<T>): Resource<T> {
  const [result, setResult] = useState<Result<T> | null>(null)
  const [generation, setGeneration] = useState(0)
  const reload = useCallback(() => setGeneration((g) => g + 1), [])

  useEffect(() => {
    const controller = new AbortController()
    load(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) {
          setResult({ key, ok: true, data })
        }
      },
      (error: unknown) => {
        if (!controller.signal.aborted) {
          setResult({ key, ok: false, error })
        }
      },
    )
    return () => controller.abort()
    // `load` is a new closure on every render: `key` stands for what it depends on.
  }, [key, generation])

  if (result === null || result.key !== key) {
    return { state: 'loading', data: undefined, error: undefined, reload }
  }
  if (!result.ok) {
    return { state: 'failed', data: undefined, error: result.error, reload }
  }
  return { state: 'ready', data: result.data, error: undefined, reload }
}
