import assert from 'node:assert/strict'
import type { FastifyInstance } from 'fastify'
import type { Action, ActionKind } from '../../../src/domain/action.ts'
import { emptyBlocks, type PolicyBlocks } from '../../../src/domain/policy.ts'
import type { Engine } from '../../../src/engine/engine.ts'
import { silentLogger } from '../../../src/engine/logger.ts'
import { PlatformAccess } from '../../../src/engine/platform-access.ts'
import type { PlatformContext, PlatformDef } from '../../../src/platforms/platform.ts'
import { createQuickJsSandbox } from '../../../src/sandbox/quickjs-sandbox.ts'
import type { Store } from '../../../src/store/store.ts'
import { connectFakeDiscordDirectly } from '../../fakes/discord/connect-directly.ts'
import { fakeDiscordOptions } from '../../fakes/discord/fake-discord-options.ts'
import {
  startFakeDiscord,
  type FakeDiscord,
  type FakeMember,
  type InteractionRecord,
} from '../../fakes/discord/fake-discord.ts'
import { fakeClock, type FakeClock } from '../../support/fake-clock.ts'
import { startPlatformServer } from '../../support/platform-server.ts'
import { policyInput } from '../../store/seed.ts'
import { openTestStore } from '../../support/test-store.ts'
import { until } from '../../support/until.ts'

/**
 * Discord at the HTTP level: the real server (listening on a port) with the Discord platform
 * configured against the fake Discord, whose interactions endpoint is the server's. The guild is
 * connected by writing its integration (the install flow is not built yet).
 */
export interface DiscordRig {
  fake: FakeDiscord
  store: Store
  engine: Engine
  clock: FakeClock
  app: FastifyInstance
  platform: PlatformDef
  communityId: number
  ada: FakeMember
  actions(): Promise<Action[]>
  context(): Promise<PlatformContext>
  policy(input: { kind: ActionKind; actionTypes: string[]; blocks: Partial<PolicyBlocks> }): Promise<number>
  /** The last interaction delivered, once its deferred answer has been followed up (edited or a follow-up sent). */
  followedUp(): Promise<InteractionRecord>
  close(): Promise<void>
}

export async function startDiscordRig(dialect: 'sqlite' | 'postgres'): Promise<DiscordRig> {
  const sandbox = await createQuickJsSandbox({ poolSize: 1 })
  const store = await openTestStore(dialect)
  const clock = fakeClock()
  const fake = await startFakeDiscord({ now: () => clock.now() })
  const ada = fake.addMember({ name: 'ada', globalName: 'Ada Lovelace' })
  const { engine, platforms, app, origin } = await startPlatformServer({
    store,
    sandbox,
    clock,
    settings: { discord: fakeDiscordOptions(fake) },
  })
  fake.setInteractionsUrl(`${origin}/platforms/discord/interactions`)

  const community = await store.communities.create({ name: 'Gardeners', now: clock.now() })
  await store.roles.create(community.id, { name: 'Member', permissions: ['propose:*', 'vote'], isDefault: true })
  await connectFakeDiscordDirectly(store, fake, community.id, fake.owner, clock.now())
  const platform = platforms.find((p) => p.name === 'discord')
  if (platform === undefined) {
    throw new Error('Discord is not among the platforms')
  }
  const access = new PlatformAccess({ store, platforms, fetch, logger: silentLogger, now: () => clock.now() })

  return {
    fake,
    store,
    engine,
    clock,
    app,
    platform,
    communityId: community.id,
    ada,
    actions: () => store.actions.list(community.id),
    context: () => access.context(community.id, platform),
    async policy({ kind, actionTypes, blocks }) {
      const input = policyInput({ name: `${kind} policy`, kind, actionTypes, blocks: { ...emptyBlocks(), ...blocks } })
      const policy = await store.policies.create(community.id, input, clock.now())
      return policy.id
    },
    async followedUp() {
      const last = () => [...fake.interactions.values()].at(-1)
      const done = () => {
        const record = last()
        return record !== undefined && record.edits.length + record.followUps.length > 0
      }
      if (!(await until(done, 10_000))) {
        throw new Error('the interaction was not followed up')
      }
      const record = last()
      assert.ok(record)
      return record
    },
    async close() {
      await app.close()
      await fake.close()
      await store.close()
      await sandbox.close()
    },
  }
}
