import type { DocumentJson } from '../../../src/server/presenters.ts'
import { useApp, useCommunity } from '../app-context.ts'
import { Link } from '../components/link.tsx'
import { ResourceView } from '../components/resource-view.tsx'
import { formatTime } from '../format-time.ts'
import { usePageTitle } from '../use-page-title.ts'
import { useResource } from '../use-resource.ts'

/** `/c/:cid/documents`: the community's documents (a code of conduct, a charter…). */
export function DocumentsPage() {
  usePageTitle('Documents')
  const { api } = useApp()
  const { community, base } = useCommunity()
  const path = `/api/communities/${community.id}/documents?all=true`
  const documents = useResource(path, (signal) => api.get<DocumentJson[]>(path, signal))
  return (
    <>
      <h1>Documents</h1>
      <p className="actions">
        <Link href={`${base}/propose?type=constitution.addDocument`} className="button">
          Propose a new document
        </Link>
      </p>
      <ResourceView resource={documents}>
        {(list) =>
          list.length === 0 ? (
            <p className="muted">No documents yet.</p>
          ) : (
            <ul className="document-list">
              {list.map((d) => (
                <li key={d.id}>
                  <Link href={`${base}/documents/${d.id}`}>{d.name}</Link>
                  {!d.active && <span className="tag">inactive</span>}
                  <div className="meta">Updated {formatTime(d.updatedAt)}</div>
                </li>
              ))}
            </ul>
          )
        }
      </ResourceView>
    </>
  )
}
