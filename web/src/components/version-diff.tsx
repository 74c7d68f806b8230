import { diffLines } from 'diff'
import { policyText } from '../../../src/domain/policy-text.ts'
import type { PolicyVersionJson } from '../../../src/server/presenters.ts'

function splitLines(value: string): string[] {
  const lines = value.split('\n')
  if (lines[lines.length - 1] === '') {
    lines.pop()
  }
  return lines
}

/** What changed from one version to the next: + added, − removed (marked in words and colour). */
export function VersionDiff({ before, after }: { before: PolicyVersionJson | null; after: PolicyVersionJson }) {
  const changes = diffLines(before ? policyText(before) : '', policyText(after))
  const added = changes.filter((c) => c.added).reduce((n, c) => n + c.count, 0)
  const removed = changes.filter((c) => c.removed).reduce((n, c) => n + c.count, 0)
  return (
    <figure className="diff">
      <figcaption>
        {before
          ? `Changes from version ${before.version} to version ${after.version}: ${added} lines added, ${removed} removed.`
          : `Version ${after.version} is the first: every line is new.`}
      </figcaption>
      <pre className="code diff-lines">
        {changes.flatMap((change, i) =>
          splitLines(change.value).map((line, j) => {
            const key = `${i}-${j}`
            if (change.added) {
              return (
                <ins key={key} className="diff-added">
                  <span aria-hidden="true">+ </span>
                  <span className="visually-hidden">added: </span>
                  {line}
                  {'\n'}
                </ins>
              )
            }
            if (change.removed) {
              return (
                <del key={key} className="diff-removed">
                  <span aria-hidden="true">− </span>
                  <span className="visually-hidden">removed: </span>
                  {line}
                  {'\n'}
                </del>
              )
            }
            return (
              <span key={key} className="diff-same">
                {'  '}
                {line}
                {'\n'}
              </span>
            )
          }),
        )}
      </pre>
    </figure>
  )
}
