import type { VoteTallyJson } from '../../../src/server/presenters.ts'

/** Votes so far: per option for a choice vote, else yes and no. */
export function VoteTally({ tally, options }: { tally: VoteTallyJson; options?: string[] | null }) {
  const choices = options ?? Object.keys(tally.choices)
  if (choices.length > 0) {
    return (
      <ul className="tally" aria-label="Votes">
        {choices.map((choice) => (
          <li key={choice}>
            {choice}: <strong>{tally.choices[choice] ?? 0}</strong>
          </li>
        ))}
        <li>
          Total: <strong>{tally.total}</strong>
        </li>
      </ul>
    )
  }
  return (
    <ul className="tally" aria-label="Votes">
      <li>
        Yes: <strong>{tally.yes}</strong>
      </li>
      <li>
        No: <strong>{tally.no}</strong>
      </li>
      {tally.total !== tally.yes + tally.no && (
        <li>
          Total: <strong>{tally.total}</strong>
        </li>
      )}
    </ul>
  )
}
