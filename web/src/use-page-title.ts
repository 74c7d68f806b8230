import { useEffect } from 'react'

/** Sets the document's title, which screen readers announce after a navigation. */
export function usePageTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · PolicyKit`
  }, [title])
}
