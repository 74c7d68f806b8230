// The memory part of `npm run bench`, run in a process of its own as `npm start` runs the server:
// compiled to JavaScript (`npm run build:bench`, into build/bench/) and with the server's V8 flags.
// Prints this process's peak resident memory with 10,000 pending proposals swept once.
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { propose, setup } from './setup.ts'

const { values } = parseArgs({
  options: {
    pending: { type: 'string', default: '10000' },
    postgres: { type: 'boolean', default: false },
    'pool-size': { type: 'string' },
  },
})

/**
 * This process's peak resident memory. getrusage's maxrss survives exec, so a child spawned from
 * a large parent would report the parent's peak; Linux's VmHWM belongs to this process alone.
 */
function peakRssKib(): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))
    if (match?.[1]) {
      return Number(match[1])
    }
  } catch {
    // Not Linux: fall back to getrusage.
  }
  return process.resourceUsage().maxRSS
}

const databaseUrl = values.postgres ? process.env['DATABASE_URL'] : undefined
// The server's own pool size (POLICYKIT_SANDBOX_POOL's default, 2) unless told otherwise.
const poolSize = Number(values['pool-size'] ?? 2)
const s = await setup(databaseUrl, { poolSize })
const pending = Number(values.pending)
for (let i = 0; i < pending; i++) {
  await propose(s, i)
}
await s.engine.sweep()
if (process.env['BENCH_DEBUG']) {
  process.stderr.write(`${JSON.stringify(process.memoryUsage())}\n`)
}
await s.close()
process.stdout.write(JSON.stringify({ rss_mib_10k_pending: peakRssKib() / 1024 }))
