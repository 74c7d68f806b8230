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
          const text = line.slice(1)
          if (line.startsWith('@@')) {
            return (
              <span key={i} className="diff-hunk">
                {line}
                {'\n'}
              </span>
            )
          }
          if (line.startsWith('+')) {
            return (
              <ins key={i} className="diff-added">
                <span aria-hidden="true">+ </span>
                <span className="visually-hidden">added: </span>
                {text}
                {'\n'}
              </ins>
            )
          }
          if (line.startsWith('-')) {
            return (
              <del key={i} className="diff-removed">
                <span aria-hidden="true">− </span>
                <span className="visually-hidden">removed: </span>
                {text}
                {'\n'}
              </del>
            )
          }
          return (
            <span key={i} className="diff-same">
              {'  '}
              {text}
              {'\n'}
            </span>
          )
        })}
      </pre>
    </figure>
  )
}
