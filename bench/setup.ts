// What every part of `npm run bench` measures against: one community, one base platform policy
// (filter true, no initialize, check passes at ≥ 3 yes votes, else proposed; empty notify, pass
// and fail), and one member proposing governed actions.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createEngine, type Engine } from '../src/engine/engine.ts'
import { emptyBlocks } from '../src/domain/policy.ts'
import { createQuickJsSandbox } from '../src/sandbox/quickjs-sandbox.ts'
import { systemClock } from '../src/scheduler/clock.ts'
import { createEngineRuntime, type EngineRuntime } from '../src/engine-runtime.ts'
import { migrate } from '../src/store/migrate.ts'
import { openStore } from '../src/store/open-store.ts'
import type { Store } from '../src/store/store.ts'
import { testPlatform } from '../test/support/test-platform.ts'

export const check = `const yes = proposal.getYesVotes().length
if (yes >= 3) return PASSED
return PROPOSED`

export interface Setup {
  store: Store
  /** Where the store is, for the floor's own connection: a SQLite file, or a PostgreSQL schema. */
  location: { sqliteFile: string } | { pgSchema: string }
  engine: Engine
  communityId: number
  proposerId: number
  policyId: number
  versionId: number
  voterIds: number[]
  /** Resolves when the job queue has nothing left to run (after a vote: the decision is made). */
  idle(): Promise<void>
  close(): Promise<void>
}

export async function setup(
  databaseUrl: string | undefined,
  options: { scheduler?: boolean; poolSize?: number; spinMs?: number } = {},
): Promise<Setup & { awaitDecision?: (id: number) => Promise<void> }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'policykit-bench-'))
  const secretKey = Buffer.alloc(32, 1)
  let schema: string | undefined
  let store: Store
  if (databaseUrl) {
    schema = `bench_${process.pid}_${Date.now()}`
    store = await openStore({ databaseUrl, pgSchema: schema, secretKey })
  } else {
    // As the server opens it (its checkpoints on their own thread).
    store = await openStore({ sqlitePath: path.join(dir, 'bench.db'), secretKey, checkpointThread: true })
  }
  await migrate(store)
  const sandbox = await createQuickJsSandbox({
    poolSize: options.poolSize ?? 2,
    ...(options.spinMs === undefined ? {} : { spinMs: options.spinMs }),
  })
  const { platform } = testPlatform()
  const now = Date.now()
  const community = await store.communities.create({ name: 'Bench', now })
  await store.roles.create(community.id, { name: 'Member', permissions: ['propose:*', 'vote'], isDefault: true })
  const proposer = await store.members.create(community.id, { username: 'proposer', now })
  const voterIds: number[] = []
  for (let i = 0; i < 3; i++) {
    voterIds.push((await store.members.create(community.id, { username: `voter${i}`, now })).id)
  }
  const policy = await store.policies.create(
    community.id,
    {
      name: 'Base: three yes votes',
      description: '',
      kind: 'platform',
      actionTypes: [],
      priority: 0,
      variables: [],
      blocks: { ...emptyBlocks(), filter: 'return true', check },
    },
    now,
  )
  let runtime: EngineRuntime | undefined
  let engine: Engine
  if (options.scheduler) {
    runtime = createEngineRuntime({
      store,
      sandbox,
      platforms: [platform],
      clock: systemClock,
      sweepIntervalMs: 3_600_000,
    })
    engine = runtime.engine
    await runtime.start()
  } else {
    engine = createEngine({ store, sandbox, platforms: [platform], clock: systemClock })
  }
  return {
    store,
    engine,
    location: schema === undefined ? { sqliteFile: path.join(dir, 'bench.db') } : { pgSchema: schema },
    communityId: community.id,
    proposerId: proposer.id,
    policyId: policy.id,
    versionId: policy.versionId,
    voterIds,
    idle: () => runtime?.queue.idle() ?? Promise.resolve(),
    async close() {
      await runtime?.stop()
      await sandbox.close()
      if (schema) {
        await store.db.schema.dropSchema(schema).cascade().execute()
      }
      await store.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export const propose = (s: Setup, i: number) =>
  s.engine.propose({
    communityId: s.communityId,
    type: 'test.post',
    params: { text: `action ${i}` },
    initiatorId: s.proposerId,
    origin: 'policykit',
  })

/** The votes (b) re-checks: two yes and one no on each proposal, cast straight into the store. */
export async function castTwoYesOneNo(s: Setup, proposalIds: number[]): Promise<void> {
  const [a, b, c] = s.voterIds
  if (a === undefined || b === undefined || c === undefined) {
    throw new Error('bench setup made no voters')
  }
  for (const proposalId of proposalIds) {
    for (const [memberId, value] of [
      [a, true],
      [b, true],
      [c, false],
    ] as const) {
      await s.store.votes.cast(s.communityId, {
        proposalId,
        memberId,
        vote: { kind: 'boolean', value },
        now: Date.now(),
      })
    }
  }
}
