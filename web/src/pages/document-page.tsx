import type { DocumentJson } from '../../../src/server/presenters.ts'
import { useApp, useCommunity } from '../app-context.ts'
import { Link } from '../components/link.tsx'
import { ResourceView } from '../components/resource-view.tsx'
import { formatTime } from '../format-time.ts'
import { usePageTitle } from '../use-page-title.ts'
import { useResource } from '../use-resource.ts'

/** `/c/:cid/documents/:id`: one document to read. */
export function DocumentPage({ documentId }: { documentId: number }) {
  const { api } = useApp()
  const { community, base } = useCommunity()
  const path = `/api/communities/${community.id}/documents/${documentId}`
  const document = useResource(path, (signal) => api.get<DocumentJson>(path, signal))
  usePageTitle(document.data?.name ?? 'Document')
  const propose = (type: string) => `${base}/propose?type=constitution.${type}&documentId=${documentId}`
  return (
    <ResourceView resource={document}>
      {(d) => (
        <article>
          <h1>{d.name}</h1>
          <p className="meta">
            {d.active ? 'Active' : 'Inactive'} · updated {formatTime(d.updatedAt)}
          </p>
          <div className="document-text">{d.text}</div>
          <p className="actions">
            <Link href={propose('changeDocument')} className="button">
              Propose a change
            </Link>
            {d.active && (
              <Link href={propose('removeDocument')} className="button button-secondary">
                Propose removal
              </Link>
            )}
            <Link href={`${base}/documents`}>All documents</Link>
          </p>
        </article>
      )}
    </ResourceView>
  )
}
