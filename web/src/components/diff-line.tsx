/** How a line of a diff stands: added, removed, or the same on both sides. */
export type DiffChange = 'added' | 'removed' | 'same'

/** One line of a diff, marked in words and colour (+ added, − removed), for `<pre className="diff-lines">`. */
export function DiffLine({ change, text }: { change: DiffChange; text: string }) {
  if (change === 'added') {
    return (
      <ins className="diff-added">
        <span aria-hidden="true">+ </span>
        <span className="visually-hidden">added: </span>
        {text}
        {'\n'}
      </ins>
    )
  }
  if (change === 'removed') {
    return (
      <del className="diff-removed">
        <span aria-hidden="true">− </span>
        <span className="visually-hidden">removed: </span>
        {text}
        {'\n'}
      </del>
    )
  }
  return (
    <span className="diff-same">
      {'  '}
      {text}
      {'\n'}
    </span>
  )
}
