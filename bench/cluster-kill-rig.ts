import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { sql } from 'kysely'
import { migrate } from '../src/store/migrate.ts'
import { openStore } from '../src/store/open-store.ts'
import {
  check,
  delay,
  freePort,
  fullyVoted,
  kill,
  never,
  propose,
  sendVotes,
  setUp,
  rigEnv,
  shuffle,
  startWeb,
  tail,
  waitExecuted,
  type RoundResult,
} from './kill-rig.ts'

/**
 * The kill test across processes (issue 18): on one PostgreSQL database, `web` processes
 * (`src/main.ts` with POLICYKIT_JOBS=off: they take proposals and votes and queue the re-checks)
 * and `workers` (`src/worker.ts`: every re-check, decision and execution). Each round sends a
 * burst of deciding votes spread over the web processes, SIGKILLs one worker at a random moment of
 * it, and checks, as bench/kill-rig.ts does: no acknowledged vote lost, nothing decided or
 * executed twice, every fully voted proposal passed and executed within `boundMs` of the burst's
 * end by the workers still alive (`takeoverMs`). The killed worker is started again after the
 * round.
 */
export interface ClusterKillOptions {
  databaseUrl: string
  web: number
  workers: number
  rounds: number
  proposals: number
  leaseSeconds: number
  boundMs: number
  onRound?(round: ClusterRoundResult): void
}

export type ClusterRoundResult = RoundResult

const repoRoot = path.resolve(import.meta.dirname, '..')

export async function runClusterKillRounds(options: ClusterKillOptions): Promise<ClusterRoundResult[]> {
  const secretKey = randomBytes(32)
  const dataDir = mkdtempSync(path.join(tmpdir(), 'policykit-cluster-'))
  const schema = `cluster_${randomBytes(6).toString('hex')}`
  const store = await openStore({ databaseUrl: options.databaseUrl, pgSchema: schema, secretKey })
  const processes: ChildProcess[] = []
  try {
    await migrate(store)
    const { communityId, voters } = await setUp(store)
    const env = rigEnv({
      dataDir,
      secretKey,
      leaseSeconds: options.leaseSeconds,
      sandboxPool: 1,
      databaseUrl: options.databaseUrl,
      schema,
    })
    const bases: string[] = []
    // The first process migrates and installs pg-boss; the others start beside it.
    for (let i = 0; i < options.web; i++) {
      const port = await freePort()
      const base = `http://127.0.0.1:${port}`
      processes.push(await startWeb({ ...env, PORT: String(port), POLICYKIT_JOBS: 'off' }, base))
      bases.push(base)
    }
    const workers = await Promise.all(Array.from({ length: options.workers }, () => startWorker(env)))
    const base = (i: number) => bases[i % bases.length] ?? never()
    const voteOn = async (proposalIds: number[], hangs: string[] = []) => {
      const votes = proposalIds.flatMap((proposalId) => shuffle(voters.map((voter) => ({ proposalId, voter }))))
      const shares = bases.map((_, i) => votes.filter((_, j) => j % bases.length === i))
      const acknowledged = await Promise.all(shares.map((share, i) => sendVotes(base(i), communityId, share, 4, hangs)))
      return { sent: votes.length, acknowledged: acknowledged.flat() }
    }
    const proposeAll = (prefix: string) =>
      Promise.all(
        Array.from({ length: options.proposals }, (_, i) =>
          propose(base(i), communityId, voters[0] ?? never(), `${prefix}-p${i}`),
        ),
      )

    const warmUp = await proposeAll('warm-up')
    const warmUpStarted = Date.now()
    await voteOn(warmUp)
    await waitExecuted(store, communityId, warmUp, options.boundMs)
    // Where in a round to kill: anywhere in the time votes and their work took last time.
    let burstMs = Date.now() - warmUpStarted
    const results: ClusterRoundResult[] = []
    for (let round = 1; round <= options.rounds; round++) {
      const roundStarted = Date.now()
      const proposalIds = await proposeAll(`r${round}`)
      const victim = Math.floor(Math.random() * workers.length)
      const killedAfterMs = Math.round(Math.random() * burstMs)
      const killing = delay(killedAfterMs).then(() => kill(workers[victim] ?? never()))
      const hangs: string[] = []
      const { sent, acknowledged } = await voteOn(proposalIds, hangs)
      await killing
      const takeoverMs = await waitExecuted(store, communityId, proposalIds, options.boundMs)
      if (takeoverMs !== null) {
        burstMs = Date.now() - roundStarted
      }
      const problems = [...hangs, ...(await check(store, communityId, proposalIds, acknowledged))]
      if (takeoverMs === null) {
        problems.push(`not every fully voted proposal was executed ${options.boundMs} ms after the burst and the kill`)
      }
      const result: ClusterRoundResult = {
        round,
        proposals: proposalIds.length,
        votesSent: sent,
        votesAcknowledged: acknowledged.length,
        killedAfterMs,
        fullyVoted: (await fullyVoted(store, communityId, proposalIds)).length,
        takeoverMs: takeoverMs ?? options.boundMs,
        durationMs: Date.now() - roundStarted,
        problems,
      }
      options.onRound?.(result)
      results.push(result)
      workers[victim] = await startWorker(env)
    }
    processes.push(...workers)
    return results
  } finally {
    await Promise.all(processes.map((p) => kill(p)))
    await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(store.db)
    await sql`drop schema if exists ${sql.id(`${schema}_pgboss`)} cascade`.execute(store.db)
    await store.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

/** A worker has no port: it is ready once it logs that it runs. */
export async function startWorker(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['src/worker.ts'], {
    cwd: repoRoot,
    env: { ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const stderr = tail(child)
  let stdout = ''
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`a worker did not start within 60 s: ${stderr()}`)), 60_000)
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout = (stdout + chunk.toString()).slice(-2000)
      if (stdout.includes('worker is running')) {
        clearTimeout(timer)
        resolve()
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`a worker exited (${code}): ${stderr()}`))
    })
  })
  try {
    await ready
  } catch (e) {
    await kill(child)
    throw e
  }
  // Keep reading so a full pipe never blocks the worker.
  child.stdout?.resume()
  return child
}
