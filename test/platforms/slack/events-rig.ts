import type { FastifyInstance } from 'fastify'
import type { Action, ActionKind } from '../../../src/domain/action.ts'
import type { Engine } from '../../../src/engine/engine.ts'
import { emptyBlocks, type PolicyBlocks } from '../../../src/domain/policy.ts'
import { createQuickJsSandbox } from '../../../src/sandbox/quickjs-sandbox.ts'
import type { Store } from '../../../src/store/store.ts'
import { connectFakeSlackDirectly } from '../../fakes/slack/connect-directly.ts'
import { fakeSlackOptions } from '../../fakes/slack/fake-slack-options.ts'
import { startFakeSlack, type FakeChannel, type FakeSlack, type FakeUser } from '../../fakes/slack/fake-slack.ts'
import { fakeClock, type FakeClock } from '../../support/fake-clock.ts'
import { startPlatformServer } from '../../support/platform-server.ts'
import { policyInput } from '../../store/seed.ts'
import { openTestStore } from '../../support/test-store.ts'

/**
 * The listening side at the HTTP level: the real server (listening on a port) with the Slack
 * platform configured against the fake Slack, which signs and delivers events as Slack does. The
 * workspace is connected by writing its integration (the install flow has tests of its own).
 * Policies run in a QuickJS sandbox of one worker, which `close` closes too.
 */
export interface Rig {
  fake: FakeSlack
  store: Store
  engine: Engine
  clock: FakeClock
  app: FastifyInstance
  communityId: number
  channel: FakeChannel
  ada: FakeUser
  bob: FakeUser
  actions(): Promise<Action[]>
  policy(input: { kind: ActionKind; actionTypes: string[]; blocks: Partial<PolicyBlocks> }): Promise<number>
  close(): Promise<void>
}

export async function startRig(dialect: 'sqlite' | 'postgres'): Promise<Rig> {
  const sandbox = await createQuickJsSandbox({ poolSize: 1 })
  const store = await openTestStore(dialect)
  const clock = fakeClock()
  const fake = await startFakeSlack({ now: () => clock.now() })
  const admin = fake.addUser({ name: 'root', admin: true })
  const ada = fake.addUser({ name: 'ada', realName: 'Ada Lovelace' })
  const bob = fake.addUser({ name: 'bob' })
  const channel = fake.addChannel({ name: 'garden', members: [admin, ada, bob] })
  const { engine, app, origin } = await startPlatformServer({
    store,
    sandbox,
    clock,
    settings: { slack: fakeSlackOptions(fake) },
  })
  const base = `${origin}/platforms/slack`
  fake.setEndpoints({ eventsUrl: `${base}/events`, interactivityUrl: `${base}/interactivity` })

  const community = await store.communities.create({ name: 'Gardeners', now: clock.now() })
  await store.roles.create(community.id, { name: 'Member', permissions: ['propose:*', 'vote'], isDefault: true })
  await connectFakeSlackDirectly(store, fake, community.id, admin, clock.now())

  return {
    fake,
    store,
    engine,
    clock,
    app,
    communityId: community.id,
    channel,
    ada,
    bob,
    actions: () => store.actions.list(community.id),
    async policy({ kind, actionTypes, blocks }) {
      const input = policyInput({ name: `${kind} policy`, kind, actionTypes, blocks: { ...emptyBlocks(), ...blocks } })
      const policy = await store.policies.create(community.id, input, clock.now())
      return policy.id
    },
    async close() {
      await fake.idle()
      await app.close()
      await fake.close()
      await store.close()
      await sandbox.close()
    },
  }
}
