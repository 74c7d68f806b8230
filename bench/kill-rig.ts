import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { sql } from 'kysely'
import { createCommunityWithKit } from '../src/kits/apply-kit.ts'
import { hashToken } from '../src/secret-token.ts'
import { migrate } from '../src/store/migrate.ts'
import { openStore } from '../src/store/open-store.ts'
import type { Store } from '../src/store/store.ts'

/**
 * The kill test (DESIGN §3, crash safety): the real app as a child process (`src/main.ts`) on a
 * community with the democracy kit (three voters, so each proposal passes on its third yes), a
 * burst of deciding votes over HTTP, SIGKILL at a random moment of it, a restart, and then every
 * proposal of the round checked: no acknowledged vote lost, no decision or pass block twice, no
 * document inserted twice, every proposal holding its three votes passed and executed within
 * `boundMs` of the restarted app answering.
 */
export interface KillOptions {
  /** PostgreSQL (each run in a schema of its own) when given; else SQLite in a temporary directory. */
  databaseUrl?: string
  rounds: number
  /** New `constitution.addDocument` proposals per round. */
  proposals: number
  /** The app's POLICYKIT_LEASE_SECONDS: what a dead process held is taken over after it. */
  leaseSeconds: number
  /** How long after the restart every fully voted proposal must be executed. */
  boundMs: number
  onRound?(round: RoundResult): void
}

export interface RoundResult {
  round: number
  proposals: number
  votesSent: number
  votesAcknowledged: number
  killedAfterMs: number
  /** Proposals of the round that hold all three votes, hence must pass and execute. */
  fullyVoted: number
  /**
   * From the restarted app answering (the cluster rig: from the later of the kill and the
   * burst's end) until every fully voted proposal was executed.
   */
  takeoverMs: number
  durationMs: number
  problems: string[]
}

const voterNames = ['ada', 'bob', 'cy'] as const
/** A request the app does not answer within this is a hang, reported as a problem. */
const requestTimeoutMs = 20_000
const repoRoot = path.resolve(import.meta.dirname, '..')

/**
 * The environment of an app process a rig starts: its data directory, key and lease; PostgreSQL in
 * `schema` when `databaseUrl` is given, else SQLite in the data directory.
 */
export function rigEnv(options: {
  dataDir: string
  secretKey: Buffer
  leaseSeconds: number
  sandboxPool?: number
  databaseUrl?: string | undefined
  schema?: string | undefined
}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOST: '127.0.0.1',
    POLICYKIT_DATA_DIR: options.dataDir,
    POLICYKIT_SECRET_KEY: options.secretKey.toString('hex'),
    POLICYKIT_LEASE_SECONDS: String(options.leaseSeconds),
    // About crashes and throughput, not runaways: a loaded machine must not time a block out.
    POLICYKIT_SANDBOX_BLOCK_MS: '5000',
    LOG_LEVEL: 'error',
  }
  if (options.sandboxPool !== undefined) {
    env['POLICYKIT_SANDBOX_POOL'] = String(options.sandboxPool)
  }
  delete env['DATABASE_URL']
  if (options.databaseUrl && options.schema) {
    const separator = options.databaseUrl.includes('?') ? '&' : '?'
    env['DATABASE_URL'] =
      `${options.databaseUrl}${separator}options=${encodeURIComponent(`-c search_path=${options.schema}`)}`
  }
  return env
}

export interface Voter {
  memberId: number
  token: string
}

export async function runKillRounds(options: KillOptions): Promise<RoundResult[]> {
  const secretKey = randomBytes(32)
  const dataDir = mkdtempSync(path.join(tmpdir(), 'policykit-kill-'))
  const schema = options.databaseUrl ? `kill_${randomBytes(6).toString('hex')}` : undefined
  const store = options.databaseUrl
    ? await openStore({ databaseUrl: options.databaseUrl, pgSchema: schema, secretKey })
    : await openStore({ sqlitePath: path.join(dataDir, 'policykit.db'), secretKey })
  let app: ChildProcess | undefined
  try {
    await migrate(store)
    const { communityId, voters } = await setUp(store)
    const port = await freePort()
    const env: NodeJS.ProcessEnv = {
      ...rigEnv({
        dataDir,
        secretKey,
        leaseSeconds: options.leaseSeconds,
        sandboxPool: 2,
        databaseUrl: options.databaseUrl,
        schema,
      }),
      PORT: String(port),
    }
    const base = `http://127.0.0.1:${port}`
    app = await startWeb(env, base)
    const results: RoundResult[] = []
    // Where in the burst to kill: anywhere up to a bit past the longest burst seen whole, the
    // first being a warm-up burst nobody kills.
    const warmUp = await Promise.all(
      Array.from({ length: options.proposals }, (_, i) =>
        propose(base, communityId, voters[0] ?? never(), `warm-up-${i}`),
      ),
    )
    const warmUpStarted = Date.now()
    await sendVotes(
      base,
      communityId,
      warmUp.flatMap((proposalId) => voters.map((voter) => ({ proposalId, voter }))),
      8,
    )
    let burstMs = Date.now() - warmUpStarted
    for (let round = 1; round <= options.rounds; round++) {
      const roundStarted = Date.now()
      const creator = voters[0]
      if (!creator) {
        throw new Error('no voters')
      }
      const proposalIds = await Promise.all(
        Array.from({ length: options.proposals }, (_, i) => propose(base, communityId, creator, `r${round}-p${i}`)),
      )
      // Proposal after proposal, its voters in a random order: deciding votes all through the burst.
      const votes = proposalIds.flatMap((proposalId) => shuffle(voters.map((voter) => ({ proposalId, voter }))))
      const killedAfterMs = Math.round(Math.random() * burstMs * 1.2)
      const running = app
      const started = Date.now()
      const killing = delay(killedAfterMs).then(() => kill(running))
      const hangs: string[] = []
      const acknowledged = await sendVotes(base, communityId, votes, 8, hangs)
      if (acknowledged.length === votes.length) {
        burstMs = Math.max(burstMs, Date.now() - started)
      }
      await killing
      app = await startWeb(env, base)
      const ready = Date.now()
      const takeoverMs = await waitExecuted(store, communityId, proposalIds, options.boundMs)
      const problems = [...hangs, ...(await check(store, communityId, proposalIds, acknowledged))]
      if (takeoverMs === null) {
        problems.push(`not every fully voted proposal was executed ${options.boundMs} ms after the restart`)
      }
      const result: RoundResult = {
        round,
        proposals: proposalIds.length,
        votesSent: votes.length,
        votesAcknowledged: acknowledged.length,
        killedAfterMs,
        fullyVoted: (await fullyVoted(store, communityId, proposalIds)).length,
        takeoverMs: takeoverMs ?? Date.now() - ready,
        durationMs: Date.now() - roundStarted,
        problems,
      }
      options.onRound?.(result)
      results.push(result)
    }
    return results
  } finally {
    if (app) {
      await kill(app)
    }
    if (schema) {
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(store.db)
      // pg-boss's tables, beside ours (src/app.ts).
      await sql`drop schema if exists ${sql.id(`${schema}_pgboss`)} cascade`.execute(store.db)
    }
    await store.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

/** The democracy kit with three voters, each with a dashboard login and an API token. */
export async function setUp(store: Store): Promise<{ communityId: number; voters: Voter[] }> {
  const now = Date.now()
  const { community, creator } = await createCommunityWithKit(store, {
    name: 'Killed often',
    kit: 'democracy',
    creator: { username: 'ada', displayName: 'Ada' },
    now,
  })
  const voters: Voter[] = []
  for (const name of voterNames) {
    const member = name === 'ada' ? creator : await store.members.create(community.id, { username: name, now })
    const user = await store.users.create({ username: name, displayName: name, passwordHash: 'no sign-in', now })
    await store.members.linkAccount(community.id, member.id, {
      platform: 'local',
      externalId: String(user.id),
      username: name,
    })
    const token = `pk_${randomBytes(24).toString('base64url')}`
    await store.apiTokens.create(community.id, { userId: user.id, name: 'kill test', tokenHash: hashToken(token), now })
    voters.push({ memberId: member.id, token })
  }
  return { communityId: community.id, voters }
}

/** `src/main.ts` (a web process) started with `env`, once it answers /healthz at `base`. */
export async function startWeb(env: NodeJS.ProcessEnv, base: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['src/main.ts'], { cwd: repoRoot, env, stdio: ['ignore', 'ignore', 'pipe'] })
  const stderr = tail(child)
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`a web process exited (${child.exitCode}): ${stderr()}`)
    }
    try {
      if ((await fetch(`${base}/healthz`)).ok) {
        return child
      }
    } catch {
      // not listening yet
    }
    await delay(50)
  }
  await kill(child)
  throw new Error(`a web process did not answer within 60 s: ${stderr()}`)
}

/** The last 4000 characters a child wrote to stderr, as of each call. */
export function tail(child: ChildProcess): () => string {
  let text = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    text = (text + chunk.toString()).slice(-4000)
  })
  return () => text
}

export async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGKILL')
  await exited
}

export async function propose(base: string, communityId: number, voter: Voter, name: string): Promise<number> {
  const res = await fetch(`${base}/api/communities/${communityId}/actions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${voter.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'constitution.addDocument', params: { name, text: `Document ${name}.` } }),
    signal: AbortSignal.timeout(requestTimeoutMs),
  })
  const body = (await res.json()) as { status?: string; proposalId?: number | null; action?: { id?: number } }
  if (res.status !== 201 || body.status !== 'proposed' || typeof body.proposalId !== 'number') {
    // What the action's log says of it (an evaluation's error, say), to tell why.
    const log = body.action?.id === undefined ? '' : await actionLog(base, communityId, voter, body.action.id)
    throw new Error(`proposing ${name}: ${res.status} ${JSON.stringify(body)}${log}`)
  }
  return body.proposalId
}

/** The action's log lines, oldest first, as one string to append to an error ('' if they cannot be read). */
async function actionLog(base: string, communityId: number, voter: Voter, actionId: number): Promise<string> {
  try {
    const res = await fetch(`${base}/api/communities/${communityId}/logs?actionId=${actionId}&limit=100`, {
      headers: { authorization: `Bearer ${voter.token}` },
      signal: AbortSignal.timeout(requestTimeoutMs),
    })
    const lines = (await res.json()) as { level?: string; message?: string }[]
    return `; its log: ${lines
      .reverse()
      .map((l) => `[${l.level}] ${l.message}`)
      .join(' | ')}`
  } catch (e) {
    return `; its log could not be read: ${String(e)}`
  }
}

/** Sends every vote, `concurrency` at a time; returns those answered 2xx. */
export async function sendVotes(
  base: string,
  communityId: number,
  votes: { proposalId: number; voter: Voter }[],
  concurrency: number,
  hangs: string[] = [],
): Promise<{ proposalId: number; memberId: number }[]> {
  const answered = await inParallel(votes, concurrency, async (vote) => {
    try {
      const res = await fetch(`${base}/api/communities/${communityId}/proposals/${vote.proposalId}/vote`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${vote.voter.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ value: true }),
        signal: AbortSignal.timeout(requestTimeoutMs),
      })
      await res.arrayBuffer()
      return res.ok ? { proposalId: vote.proposalId, memberId: vote.voter.memberId } : undefined
    } catch (e) {
      // The app was killed: this vote was not acknowledged. No answer at all is a hang.
      if (e instanceof Error && e.name === 'TimeoutError') {
        hangs.push(`the vote of member ${vote.voter.memberId} on proposal ${vote.proposalId} got no answer`)
      }
      return undefined
    }
  })
  return answered.filter((ack) => ack !== undefined)
}

/** `run` for each of `items`, at most `width` at a time: their results, in the items' order. */
export async function inParallel<T, R>(items: readonly T[], width: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length)
  let next = 0
  const lane = async () => {
    for (let i = next++; i < items.length; i = next++) {
      results[i] = await run(items[i] as T)
    }
  }
  await Promise.all(Array.from({ length: width }, lane))
  return results
}

export async function fullyVoted(store: Store, communityId: number, proposalIds: number[]): Promise<number[]> {
  const full: number[] = []
  for (const id of proposalIds) {
    if ((await store.votes.count(communityId, id, { value: true })) === voterNames.length) {
      full.push(id)
    }
  }
  return full
}

/** Milliseconds until every fully voted proposal is passed and executed; null past `boundMs`. */
export async function waitExecuted(
  store: Store,
  communityId: number,
  proposalIds: number[],
  boundMs: number,
): Promise<number | null> {
  const start = Date.now()
  const full = await fullyVoted(store, communityId, proposalIds)
  for (;;) {
    let done = true
    for (const id of full) {
      const proposal = await store.proposals.get(communityId, id)
      const action = proposal && (await store.actions.get(communityId, proposal.actionId))
      if (proposal?.status !== 'passed' || action?.executionState !== 'executed') {
        done = false
        break
      }
    }
    const elapsed = Date.now() - start
    if (done) {
      return elapsed
    }
    if (elapsed > boundMs) {
      return null
    }
    await delay(20)
  }
}

export async function check(
  store: Store,
  communityId: number,
  proposalIds: number[],
  acknowledged: { proposalId: number; memberId: number }[],
): Promise<string[]> {
  const problems: string[] = []
  for (const { proposalId, memberId } of acknowledged) {
    if ((await store.votes.count(communityId, proposalId, { memberIds: [memberId] })) !== 1) {
      problems.push(`the acknowledged vote of member ${memberId} on proposal ${proposalId} is lost`)
    }
  }
  const documents = await store.documents.list(communityId)
  const full = new Set(await fullyVoted(store, communityId, proposalIds))
  for (const id of proposalIds) {
    const proposal = await store.proposals.get(communityId, id)
    const action = proposal && (await store.actions.get(communityId, proposal.actionId))
    if (!proposal || !action) {
      problems.push(`proposal ${id} is gone`)
      continue
    }
    const logs = await store.logs.list(communityId, { proposalId: id, limit: 1000 })
    const decided = logs.filter((l) => l.message === 'proposal passed' || l.message === 'proposal failed').length
    const passBlock = logs.filter((l) => l.message.startsWith('passed: ')).length
    if (decided > 1 || passBlock > 1) {
      problems.push(`proposal ${id} was decided ${decided} times, its pass block ran ${passBlock} times`)
    }
    const name = action.params['name']
    const copies = documents.filter((d) => d.name === name).length
    if (copies > 1) {
      problems.push(`proposal ${id}'s document ${JSON.stringify(name)} was inserted ${copies} times`)
    }
    if (full.has(id) && (proposal.status !== 'passed' || action.executionState !== 'executed' || copies !== 1)) {
      problems.push(`proposal ${id} has its votes but is ${proposal.status}, its action ${action.executionState}`)
    }
    if (!full.has(id) && proposal.status !== 'proposed') {
      problems.push(`proposal ${id} is ${proposal.status} without all its votes`)
    }
  }
  return problems
}

export function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    const a = items[i]
    const b = items[j]
    if (a !== undefined && b !== undefined) {
      items[i] = b
      items[j] = a
    }
  }
  return items
}

/** For an element known to be there (`list[i] ?? never()`). */
export function never(): never {
  throw new Error('missing')
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}
