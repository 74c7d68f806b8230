// Not part of `npm run bench`: what waiting awake (POLICYKIT_SANDBOX_SPIN_MS) costs and saves.
// For each spin setting in turn, several times over (`node bench/spin-cost.ts [N] [ROUNDS]`):
// N first evaluations, then one sweep re-checking them, each timed by the clock and by this
// process's CPU time (every thread: the server's and the sandbox workers'), per action.
import { castTwoYesOneNo, propose, setup } from './setup.ts'

const n = Number(process.argv[2] ?? '1000')
const rounds = Number(process.argv[3] ?? '3')
if (!Number.isInteger(n) || n < 1 || !Number.isInteger(rounds) || rounds < 1) {
  process.stderr.write('usage: node bench/spin-cost.ts [N ≥ 1] [ROUNDS ≥ 1]\n')
  process.exit(2)
}

/** Wall-clock and CPU time (all threads) of `fn`, in ms per item. */
async function timed(items: number, fn: () => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
  const cpu = process.cpuUsage()
  const start = performance.now()
  await fn()
  const used = process.cpuUsage(cpu)
  return { wall: (performance.now() - start) / items, cpu: (used.user + used.system) / 1000 / items }
}

/** First evaluations before the timed ones: the sandbox threads started, the statements prepared. */
const warm = 200

const format = ({ wall, cpu }: { wall: number; cpu: number }) => `${wall.toFixed(3)} ms, CPU ${cpu.toFixed(3)} ms`

for (let round = 0; round < rounds; round++) {
  for (const spinMs of [1, 0]) {
    const s = await setup(undefined, { spinMs })
    for (let i = 0; i < warm; i++) {
      await propose(s, -i - 1)
    }
    const ids: number[] = []
    const first = await timed(n, async () => {
      for (let i = 0; i < n; i++) {
        const outcome = await propose(s, i)
        if ('proposal' in outcome && outcome.proposal) {
          ids.push(outcome.proposal.id)
        }
      }
    })
    await castTwoYesOneNo(s, ids)
    const swept = await timed(ids.length + warm, () => s.engine.sweep()) // the warm ones are pending too
    process.stdout.write(`spin ${spinMs} ms: first evaluation ${format(first)}; re-check ${format(swept)}\n`)
    await s.close()
  }
}
