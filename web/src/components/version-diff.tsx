import { diffLines } from 'diff'
import { policyText } from '../../../src/domain/policy-text.ts'
import type { PolicyVersionJson } from '../../../src/server/presenters.ts'
import { DiffLine } from './diff-line.tsx'

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
          splitLines(change.value).map((line, j) => (
            <DiffLine
              key={`${i}-${j}`}
              change={change.added ? 'added' : change.removed ? 'removed' : 'same'}
              text={line}
            />
          )),
        )}
      </pre>
    </figure>
  )
}
