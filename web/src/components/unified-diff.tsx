import { DiffLine } from './diff-line.tsx'

/** Unified diff hunks as the server sends them (`@@ … @@`, then ` `, `-`, `+` lines), marked in words and colour. */
export function UnifiedDiff({ diff, caption }: { diff: string; caption: string }) {
  const lines = diff.split('\n')
  const added = lines.filter((l) => l.startsWith('+')).length
  const removed = lines.filter((l) => l.startsWith('-')).length
  return (
    <figure className="diff">
      <figcaption>
        {caption}: {added} {added === 1 ? 'line' : 'lines'} added, {removed} removed.
      </figcaption>
      <pre className="code diff-lines">
        {lines.map((line, i) => {
          if (line.startsWith('@@')) {
            return (
              <span key={i} className="diff-hunk">
                {line}
                {'\n'}
              </span>
            )
          }
          const change = line.startsWith('+') ? 'added' : line.startsWith('-') ? 'removed' : 'same'
          return <DiffLine key={i} change={change} text={line.slice(1)} />
        })}
      </pre>
    </figure>
  )
}
