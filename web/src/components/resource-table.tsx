import type { ReactNode } from 'react'
import type { Resource } from '../use-resource.ts'
import { ResourceView } from './resource-view.tsx'

/**
 * A loaded list as a table, an item a row, for lists whose rows end in what can be done to the
 * item (buttons, links): after `columns` comes that last column, its header ("Actions") for
 * screen readers only. `empty`, when given, stands in for a table without rows; `caption` names
 * the table for screen readers.
 */
export function ResourceTable<T>({
  resource,
  columns,
  row,
  caption,
  className,
  empty,
}: {
  resource: Resource<T[]>
  columns: string[]
  /** An item's `<tr>`, with its key. */
  row: (item: T) => ReactNode
  caption?: string
  className?: string
  empty?: string
}) {
  return (
    <ResourceView resource={resource}>
      {(list) =>
        empty !== undefined && list.length === 0 ? (
          <p className="muted">{empty}</p>
        ) : (
          <div className="table-scroll">
            <table className={className}>
              {caption !== undefined && <caption className="visually-hidden">{caption}</caption>}
              <thead>
                <tr>
                  {columns.map((column) => (
                    <th key={column} scope="col">
                      {column}
                    </th>
                  ))}
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>{list.map((item) => row(item))}</tbody>
            </table>
          </div>
        )
      }
    </ResourceView>
  )
}
