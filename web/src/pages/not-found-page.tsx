import { Link } from '../components/link.tsx'
import { usePageTitle } from '../use-page-title.ts'

export function NotFoundPage() {
  usePageTitle('Page not found')
  return (
    <>
      <h1>Page not found</h1>
      <p>
        There is no page at this address. <Link href="/">Go to the start page</Link>.
      </p>
    </>
  )
}
