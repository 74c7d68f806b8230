import type { ReactNode } from 'react'
import { Link } from './link.tsx'

/** The frame of the pages outside a community: sign-in, set-up, invites. */
export function PublicLayout({ children }: { children: ReactNode }) {
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <div className="site-header-inner">
          <Link href="/" className="brand">
            PolicyKit
          </Link>
        </div>
      </header>
      <main id="main" tabIndex={-1} className="page narrow">
        {children}
      </main>
    </>
  )
}
