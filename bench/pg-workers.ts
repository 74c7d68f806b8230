import type { ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import path from 'node:path'
import { sql } from 'kysely'
import { recheckJob } from '../src/scheduler/scheduler.ts'
import { systemClock } from '../src/scheduler/clock.ts'
import { createPgBossQueue } from '../src/scheduler/pg-boss-queue.ts'
import { migrate } from '../src/store/migrate.ts'
import { openStore } from '../src/store/open-store.ts'
import { proposalLockSpaceOid } from '../src/store/proposal-locks.ts'
import type { Store } from '../src/store/store.ts'
import { startWorker } from './cluster-kill-rig.ts'
import { delay, freePort, inParallel, kill, never, propose, rigEnv, setUp, startWeb, type Voter } from './kill-rig.ts'

export interface PgWorkersFigures {
  /** Proposals decided and executed per second by one worker process, then by two. */
  pg_workers_1_per_s: number
  pg_workers_2_per_s: number
  /** Throughput of 2 workers over 1 (target ≥ 1.8 on a machine with the cores for it). */
  pg_workers_speedup: number
  /**
   * The machine's cores busy (every process: workers, PostgreSQL, this bench) while one worker,
   * then two, ran the timed batch: 2 workers cannot beat 1 by more than the cores left idle with
   * one (`os.availableParallelism()` over the first).
   */
  pg_workers_1_cores_busy: number
  pg_workers_2_cores_busy: number
  cores: number
  /**
   * A worker SIGKILLed while it holds proposals: until the other worker has decided and carried
   * out every one of them (the next heartbeat for a re-check, whose lock died with the process;
   * the lease, POLICYKIT_LEASE_SECONDS, for an outcome it was carrying out).
   */
  takeover_ms: number
  takeover_lease_seconds: number
}

/**
 * Workers on PostgreSQL with pg-boss, as separate processes (`src/worker.ts`): batches of
 * pending proposals (the democracy kit's, each given its three yes votes and a re-check job at
 * once) run by one worker, then by two, each timed after an untimed batch that warms them up;
 * then one of two workers is killed mid-batch.
 */
export async function pgWorkersPart(
  databaseUrl: string,
  options: { proposals: number; leaseSeconds: number },
): Promise<PgWorkersFigures> {
  const secretKey = randomBytes(32)
  const dataDir = mkdtempSync(path.join(tmpdir(), 'policykit-pgworkers-'))
  const schema = `bench_workers_${randomBytes(6).toString('hex')}`
  const store = await openStore({ databaseUrl, pgSchema: schema, secretKey })
  const processes: ChildProcess[] = []
  const env = rigEnv({ dataDir, secretKey, leaseSeconds: options.leaseSeconds, databaseUrl, schema })
  const queue = createPgBossQueue({
    connectionString: databaseUrl,
    schema: `${schema}_pgboss`,
    clock: systemClock,
    supervise: false,
  })
  try {
    await migrate(store)
    const { communityId, voters } = await setUp(store)
    const port = await freePort()
    const base = `http://127.0.0.1:${port}`
    // Proposals are made through a web process (their first evaluation); it runs no job.
    processes.push(await startWeb({ ...env, PORT: String(port), POLICYKIT_JOBS: 'off' }, base))
    await queue.start()
    let batch = 0
    const prepare = async (size = options.proposals) => {
      batch++
      const names = Array.from({ length: size }, (_, i) => `b${batch}-${i}`)
      return inParallel(names, 10, (name) => propose(base, communityId, voters[0] ?? never(), name))
    }
    /**
     * The proposals' re-checks asked for, as a vote's are (the votes were given before): the
     * requests in one commit, the jobs sent a few at a time, so the producer's round trips do
     * not pace the workers it times.
     */
    const release = async (ids: number[]) => {
      await store.transaction(async (trx) => {
        for (const id of ids) {
          await trx.proposals.requestRecheck(communityId, id)
        }
      })
      await inParallel(ids, 8, (id) =>
        queue.send(recheckJob, { communityId, proposalId: id }, { communityId, singletonKey: `recheck:${id}` }),
      )
    }
    /** Proposals decided and carried out per second over a batch, once the workers are warm. */
    const throughput = async () => {
      // A new worker's first jobs wait for its compilers and the sandbox: an untimed batch first
      // (a cold worker measured about a fifth of a warm one's throughput).
      const warmUp = await prepare(options.proposals / 2)
      await giveVotes(store, communityId, voters, warmUp)
      await release(warmUp)
      await waitExecuted(store, communityId, warmUp)
      const timed = await prepare()
      await giveVotes(store, communityId, voters, timed)
      const started = Date.now()
      const busy = machineBusy()
      await release(timed)
      await waitExecuted(store, communityId, timed)
      const seconds = (Date.now() - started) / 1000
      return { perSecond: timed.length / seconds, coresBusy: busy.since() / seconds }
    }
    const workers = [await startWorker(env)]
    processes.push(...workers)
    const one = await throughput()
    const second = await startWorker(env)
    workers.push(second)
    processes.push(second)
    const two = await throughput()

    // A small batch, so no backlog hides the takeover: kill the first worker once it holds a
    // proposal (its re-check lock, held through the decision's outcome), and time the proposals
    // it held: their re-checks were requested with the votes, so another process's heartbeat
    // finds them once the lock went with the dead process's connection, and an outcome it was
    // carrying out is taken over when its job's lease runs out. A kill that caught it holding
    // nothing is tried again.
    let takeoverMs: number | undefined
    for (let attempt = 0; attempt < 10 && takeoverMs === undefined; attempt++) {
      const small = await prepare(8)
      await giveVotes(store, communityId, voters, small)
      await release(small)
      let atKill: { pid: number; id: number }[] = []
      while (atKill.length === 0 && (await pendingOf(store, small)) > 0) {
        atKill = await locked(store, schema, small)
      }
      await kill(workers[0] ?? never())
      const killedAt = Date.now()
      const unfinished = await notExecuted(store, communityId, small)
      await delay(300)
      const alive = await backends(store)
      // Held by the dead worker's connection, and not carried out when it died.
      const dead = new Set(atKill.filter((lock) => !alive.has(lock.pid)).map((lock) => lock.id))
      const held = unfinished.filter((id) => dead.has(id))
      if (held.length > 0) {
        await waitExecuted(store, communityId, held)
        takeoverMs = Date.now() - killedAt
      }
      await waitExecuted(store, communityId, small)
      workers[0] = await startWorker(env)
      processes.push(workers[0])
    }
    if (takeoverMs === undefined) {
      throw new Error('ten kills caught the worker holding nothing')
    }
    return {
      pg_workers_1_per_s: one.perSecond,
      pg_workers_2_per_s: two.perSecond,
      pg_workers_speedup: two.perSecond / one.perSecond,
      pg_workers_1_cores_busy: one.coresBusy,
      pg_workers_2_cores_busy: two.coresBusy,
      cores: availableParallelism(),
      takeover_ms: takeoverMs,
      takeover_lease_seconds: options.leaseSeconds,
    }
  } finally {
    await Promise.all(processes.map((p) => kill(p)))
    await queue.stop()
    await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(store.db)
    await sql`drop schema if exists ${sql.id(`${schema}_pgboss`)} cascade`.execute(store.db)
    await store.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

/**
 * Every voter's yes, as a vote cast through the engine writes it, but not yet the request to
 * re-check (`release`): a heartbeat takes over a requested re-check that nobody runs.
 */
async function giveVotes(store: Store, communityId: number, voters: Voter[], ids: number[]): Promise<void> {
  const now = Date.now()
  await store.transaction(async (trx) => {
    for (const proposalId of ids) {
      for (const voter of voters) {
        await trx.votes.cast(communityId, {
          proposalId,
          memberId: voter.memberId,
          vote: { kind: 'boolean', value: true },
          now,
        })
      }
    }
  })
}

/**
 * The machine's CPU time from now (Linux's /proc/stat, in its clock ticks of 1/100 s): `since()`
 * gives the seconds of CPU time all cores spent busy since (NaN where there is no /proc/stat).
 */
function machineBusy(): { since(): number } {
  const busyTicks = () => {
    try {
      const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number) ?? []
      // user nice system idle iowait irq softirq steal: all but idle and iowait.
      return cpu.slice(0, 8).reduce((sum, ticks, i) => (i === 3 || i === 4 ? sum : sum + ticks), 0)
    } catch {
      return Number.NaN
    }
  }
  const start = busyTicks()
  return { since: () => (busyTicks() - start) / 100 }
}

/** The proposals among `ids` whose re-check lock a connection holds, and that connection's backend. */
async function locked(store: Store, schema: string, ids: number[]): Promise<{ pid: number; id: number }[]> {
  const space = proposalLockSpaceOid(schema)
  const { rows } = await sql<{ pid: number; id: number }>`select pid, objid::bigint as id from pg_locks
    where locktype = 'advisory' and objsubid = 2 and granted and classid::bigint = ${space}
      and objid::bigint in (${sql.join(ids)})`.execute(store.db)
  return rows.map((row) => ({ pid: Number(row.pid), id: Number(row.id) }))
}

/** The server's backends now. */
async function backends(store: Store): Promise<Set<number>> {
  const { rows } = await sql<{ pid: number }>`select pid from pg_stat_activity`.execute(store.db)
  return new Set(rows.map((row) => Number(row.pid)))
}

async function pendingOf(store: Store, ids: number[]): Promise<number> {
  const row = await store.db
    .selectFrom('proposals')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('id', 'in', ids)
    .where('status', '=', 'proposed')
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

async function waitExecuted(store: Store, communityId: number, ids: number[]): Promise<void> {
  const deadline = Date.now() + 300_000
  while ((await notExecuted(store, communityId, ids)).length > 0) {
    if (Date.now() > deadline) {
      throw new Error('the workers did not decide the batch within 300 s')
    }
    await delay(10)
  }
}

/**
 * Those of `ids` not yet passed and executed. Asked while the workers are timed, so the ids are
 * one array parameter: a prepared statement with one parameter per id cost PostgreSQL ~1 ms a look.
 */
async function notExecuted(store: Store, communityId: number, ids: number[]): Promise<number[]> {
  const rows = await store.db
    .selectFrom('proposals')
    .innerJoin('actions', 'actions.id', 'proposals.action_id')
    .select('proposals.id')
    .where('proposals.community_id', '=', communityId)
    .where('proposals.id', '=', sql<number>`any(${ids})`)
    .where((eb) => eb.or([eb('proposals.status', '!=', 'passed'), eb('actions.execution_state', '!=', 'executed')]))
    .execute()
  return rows.map((row) => Number(row.id))
}
