import { useSyncExternalStore } from 'react'

/** Client-side navigation on the History API: `navigate` pushes, back and forward fire popstate. */
const changeEvent = 'policykit:navigate'

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange)
  window.addEventListener(changeEvent, onChange)
  return () => {
    window.removeEventListener('popstate', onChange)
    window.removeEventListener(changeEvent, onChange)
  }
}

function snapshot(): string {
  return window.location.pathname + window.location.search
}

export interface Location {
  pathname: string
  query: URLSearchParams
  /** pathname + search, as `navigate` takes it. */
  href: string
}

/** The current location; re-renders on every navigation. */
export function useLocation(): Location {
  const href = useSyncExternalStore(subscribe, snapshot)
  const url = new URL(href, window.location.origin)
  return { pathname: url.pathname, query: url.searchParams, href }
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === snapshot()) {
    return
  }
  if (options.replace) {
    window.history.replaceState(null, '', to)
  } else {
    window.history.pushState(null, '', to)
    window.scrollTo(0, 0)
  }
  window.dispatchEvent(new Event(changeEvent))
}
