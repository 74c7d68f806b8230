// Profiles first evaluations and re-checks only (node:inspector), writing two .cpuprofile files.
import { Session } from 'node:inspector/promises'
import { writeFileSync } from 'node:fs'
import { propose, setup } from '/work/wt/perf-eval/bench/setup.ts'

const n = Number(process.argv[2] ?? 2000)
const s = await setup(process.env['PG'] ? process.env['DATABASE_URL'] : undefined)
for (let i = 0; i < 50; i++) await propose(s, -i)
const session = new Session()
session.connect()
await session.post('Profiler.enable')
await session.post('Profiler.setSamplingInterval', { interval: 100 })
await session.post('Profiler.start')
const ids: number[] = []
let t = performance.now()
for (let i = 0; i < n; i++) {
  const o = await propose(s, i)
  if ('proposal' in o && o.proposal) ids.push(o.proposal.id)
}
const first = (performance.now() - t) / n
let { profile } = await session.post('Profiler.stop')
writeFileSync('/tmp/perfeval/first.cpuprofile', JSON.stringify(profile))
const [a, b, c] = s.voterIds
for (const id of ids) for (const [m, v] of [[a, true], [b, true], [c, false]] as const)
  await s.store.votes.cast(s.communityId, { proposalId: id, memberId: m!, vote: { kind: 'boolean', value: v }, now: Date.now() })
await session.post('Profiler.start')
t = performance.now()
const { checked } = await s.engine.sweep()
const recheck = (performance.now() - t) / checked
;({ profile } = await session.post('Profiler.stop'))
writeFileSync('/tmp/perfeval/recheck.cpuprofile', JSON.stringify(profile))
console.log(JSON.stringify({ first, recheck, checked }))
await s.close()
