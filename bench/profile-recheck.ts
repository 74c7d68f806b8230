// Not part of `npm run bench`: bench/run.ts's re-check pass (b), repeated to time or profile it
// (`node --cpu-prof bench/profile-recheck.ts [N] [PASSES]`). A re-check that changes nothing
// writes nothing, so each pass re-checks the same N pending proposals.
import { castTwoYesOneNo, propose, setup } from './setup.ts'

const n = Number(process.argv[2] ?? '1000')
const passes = Number(process.argv[3] ?? '5')
const s = await setup(undefined)
const ids: number[] = []
for (let i = 0; i < n; i++) {
  const outcome = await propose(s, i)
  if ('proposal' in outcome && outcome.proposal) {
    ids.push(outcome.proposal.id)
  }
}
await castTwoYesOneNo(s, ids)
for (let pass = 0; pass < passes; pass++) {
  const start = performance.now()
  const { checked } = await s.engine.sweep()
  const ms = (performance.now() - start) / Math.max(checked, 1)
  process.stdout.write(`pass ${pass}: ${ms.toFixed(3)} ms per re-check (${checked})\n`)
}
await s.close()
