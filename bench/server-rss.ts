// The memory part of `npm run bench`, measured on the real server: a SQLite database is seeded
// with one community and N pending proposals, then the compiled server is started on it exactly
// as `npm start` starts it (`node FLAGS… build/server/main.js`, the flags read from package.json),
// left to sweep them all once, and its peak resident memory read from /proc (its sandbox workers
// are threads of the same process, so they are counted).
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { emptyBlocks } from '../src/domain/policy.ts'
import { createEngine } from '../src/engine/engine.ts'
import { createConstitutionPlatform } from '../src/platforms/constitution/manifest.ts'
import { createQuickJsSandbox } from '../src/sandbox/quickjs-sandbox.ts'
import { systemClock } from '../src/scheduler/clock.ts'
import { migrate } from '../src/store/migrate.ts'
import { openStore } from '../src/store/open-store.ts'
import { check } from './setup.ts'

const serverMain = fileURLToPath(new URL('../build/server/main.js', import.meta.url))

/** One community whose constitution policy keeps every proposal pending (3 yes votes), and `pending` proposals in it. */
async function seedPending(sqlitePath: string, secretKey: Buffer, pending: number): Promise<void> {
  const store = await openStore({ sqlitePath, secretKey })
  const sandbox = await createQuickJsSandbox({ poolSize: 1 })
  try {
    await migrate(store)
    const now = Date.now()
    const community = await store.communities.create({ name: 'Bench', now })
    await store.roles.create(community.id, { name: 'Member', permissions: ['propose:*', 'vote'], isDefault: true })
    const proposer = await store.members.create(community.id, { username: 'proposer', now })
    await store.policies.create(
      community.id,
      {
        name: 'Base: three yes votes',
        description: '',
        kind: 'constitution',
        actionTypes: [],
        priority: 0,
        variables: [],
        blocks: { ...emptyBlocks(), filter: 'return true', check },
      },
      now,
    )
    const platform = () => undefined
    const engine = createEngine({
      store,
      sandbox,
      platforms: [createConstitutionPlatform({ store, sandbox, platform })],
      clock: systemClock,
    })
    for (let i = 0; i < pending; i++) {
      const outcome = await engine.propose({
        communityId: community.id,
        type: 'constitution.addDocument',
        params: { name: `Document ${i}`, text: `text ${i}` },
        initiatorId: proposer.id,
        origin: 'policykit',
      })
      if (!('proposal' in outcome) || outcome.proposal?.status !== 'proposed') {
        throw new Error(`bench: proposal ${i} is not pending: ${JSON.stringify(outcome)}`)
      }
    }
  } finally {
    await sandbox.close()
    await store.close()
  }
}

/** A port nothing listens on now. */
async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (address === null || typeof address === 'string') {
    throw new Error('bench: no port')
  }
  return address.port
}

/** A process's peak resident memory in KiB (Linux's VmHWM), or its current one (VmRSS). */
export function residentKib(pid: number | 'self', field: 'VmHWM' | 'VmRSS'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  if (!match?.[1]) {
    throw new Error(`bench: no ${field} for process ${pid} (needs Linux's /proc)`)
  }
  return Number(match[1])
}

/** Polls `condition` every `intervalMs` (not faster: a scrape of /metrics costs the server memory) until it holds. */
async function waitFor(condition: () => Promise<boolean>, what: string, timeoutMs: number, intervalMs: number) {
  const start = performance.now()
  while (!(await condition())) {
    if (performance.now() - start > timeoutMs) {
      throw new Error(`bench: timed out waiting for ${what}`)
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}

/** How many re-checks the server has counted, from its `/metrics`. */
async function rechecks(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text()
  const match = /^policykit_evaluation_seconds_count\{kind="recheck"\} (\d+)$/m.exec(text)
  return Number(match?.[1] ?? 0)
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  await exited
}

export interface ServerRss {
  /** Peak resident memory of the server process, MiB, after it swept every pending proposal. */
  rss_mib_10k_pending: number
  /** Its resident memory once started, before the first sweep (an idle server with the community). */
  server_idle_rss_mib: number
}

/**
 * Starts the compiled server (`npm run build:server`, and build:sandbox) with `flags` on a
 * database of `pending` pending proposals and returns its memory once it has re-checked them all.
 */
export async function serverRssPart(flags: readonly string[], pending: number): Promise<ServerRss> {
  const dir = mkdtempSync(path.join(tmpdir(), 'policykit-bench-rss-'))
  const secretKey = Buffer.alloc(32, 7)
  let child: ChildProcess | undefined
  try {
    await seedPending(path.join(dir, 'policykit.db'), secretKey, pending)
    const port = await freePort()
    const base = `http://127.0.0.1:${port}`
    let stderr = ''
    child = spawn(process.execPath, [...flags, serverMain], {
      env: {
        PATH: process.env['PATH'] ?? '',
        POLICYKIT_DATA_DIR: dir,
        POLICYKIT_SECRET_KEY: secretKey.toString('hex'),
        POLICYKIT_SWEEP_SECONDS: '2',
        PORT: String(port),
        HOST: '127.0.0.1',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    const { pid } = child
    if (pid === undefined) {
      throw new Error('bench: the server did not start')
    }
    const running = child
    const alive = () => {
      if (running.exitCode !== null) {
        throw new Error(`bench: the server exited (${running.exitCode}): ${stderr}`)
      }
    }
    const answering = async () => (await fetch(`${base}/healthz`).catch(() => null))?.ok === true
    await waitFor(async () => (alive(), answering()), 'the server answering /healthz', 30_000, 50)
    const idle = residentKib(pid, 'VmRSS')
    const swept = async () => (await rechecks(base)) >= pending
    await waitFor(async () => (alive(), swept()), `the server re-checking ${pending} proposals`, 600_000, 500)
    return { rss_mib_10k_pending: residentKib(pid, 'VmHWM') / 1024, server_idle_rss_mib: idle / 1024 }
  } finally {
    if (child) {
      await stopServer(child)
    }
    rmSync(dir, { recursive: true, force: true })
  }
}
