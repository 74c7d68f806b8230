import type { FastifyInstance } from 'fastify'
import type { Action } from '../../../src/domain/action.ts'
import { silentLogger } from '../../../src/engine/logger.ts'
import { startListeners, type ListenerHost } from '../../../src/listeners/run-listeners.ts'
import { createQuickJsSandbox } from '../../../src/sandbox/quickjs-sandbox.ts'
import type { Sandbox } from '../../../src/sandbox/sandbox.ts'
import type { Store } from '../../../src/store/store.ts'
import { connectFakeRedditDirectly, fakeRedditOptions } from '../../fakes/reddit/connect-directly.ts'
import { startFakeReddit, type FakeReddit } from '../../fakes/reddit/fake-reddit.ts'
import type { RedditUser, Subreddit } from '../../fakes/reddit/subreddit.ts'
import type { FakeClock } from '../../support/fake-clock.ts'
import { systemClock } from '../../../src/scheduler/clock.ts'
import { startPlatformServer } from '../../support/platform-server.ts'
import { openTestStore } from '../../support/test-store.ts'
import { policyInput } from '../../store/seed.ts'

/**
 * The real engine and server with Reddit configured against the fake Reddit (polling every
 * 100 ms), r/gardening connected directly as its moderator, and the poller started by the app's
 * listener host (`startListeners`, under its database lease), as `npm start` runs it.
 * `restart()` stops the listener host and the server and starts new ones, as another process, on
 * the same database, as a restarted app would.
 */
export interface RedditRig {
  fake: FakeReddit
  store: Store
  clock: FakeClock
  communityId: number
  subreddit: Subreddit
  mod: RedditUser
  ada: RedditUser
  voters: RedditUser[]
  app(): FastifyInstance
  actions(type?: string): Promise<Action[]>
  /** Resolves once `check` holds (checked every 20 ms), or fails after `withinMs`. */
  until(what: string, check: () => boolean | Promise<boolean>, withinMs?: number): Promise<void>
  /** `whileDown` runs after the app stopped and before the new one starts. */
  restart(whileDown?: () => void | Promise<void>): Promise<void>
  close(): Promise<void>
}

/** The system clock behind the fake clock's face: timers fire on their own, `advance` only waits. */
function realTimeClock(): FakeClock {
  const settle = () => new Promise<void>((resolve) => setImmediate(resolve))
  return {
    ...systemClock,
    advance: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    set() {
      throw new Error('the real-time clock cannot be set')
    },
    settle,
    waitFor() {},
  }
}

export async function startRedditRig(options: {
  memberPermissions: string[]
  policies?: Array<Parameters<typeof policyInput>[0]>
  pollIntervalMs?: number
  /** The fake's rate limit: requests per window (Reddit: 100 a minute; here 10,000 unless told). */
  ratePerWindow?: number
  windowMs?: number
}): Promise<RedditRig> {
  const sandbox: Sandbox = await createQuickJsSandbox({ poolSize: 1 })
  const store = await openTestStore('sqlite')
  // The poller runs in real time (it sleeps between polls), so the engine's clock is real time too.
  const clock = realTimeClock()
  const fake = await startFakeReddit({
    ratePerWindow: options.ratePerWindow ?? 10_000,
    ...(options.windowMs === undefined ? {} : { windowMs: options.windowMs }),
  })
  const mod = fake.world.addUser('gardenmod')
  const ada = fake.world.addUser('ada_grows')
  const voters = ['bob_digs', 'cy_sows', 'di_weeds'].map((name) => fake.world.addUser(name))
  const subreddit = fake.world.addSubreddit('gardening', [{ user: mod }])
  const community = await store.communities.create({ name: 'Gardeners', now: clock.now() })
  await store.roles.create(community.id, { name: 'Member', permissions: options.memberPermissions, isDefault: true })
  for (const policy of options.policies ?? []) {
    await store.policies.create(community.id, policyInput(policy), clock.now())
  }
  await connectFakeRedditDirectly(store, fake, {
    communityId: community.id,
    moderator: mod,
    subreddit,
    now: clock.now(),
  })

  let running: { app: FastifyInstance; listeners: ListenerHost } | null = null
  let processes = 0
  const start = async () => {
    const server = await startPlatformServer({
      store,
      sandbox,
      clock,
      settings: { reddit: fakeRedditOptions(fake, options.pollIntervalMs ?? 100) },
    })
    if (!server.platforms.some((p) => p.name === 'reddit' && p.listeners?.some((l) => l.name === 'poller'))) {
      throw new Error('Reddit has no poller')
    }
    processes += 1
    const listeners = startListeners({
      platforms: server.platforms,
      leases: store.listenerLeases,
      holder: `reddit-rig-process-${processes}`,
      leaseMs: 3_000,
      now: () => clock.now(),
      logger: silentLogger,
    })
    running = { app: server.app, listeners }
  }
  const stopRunning = async () => {
    if (running) {
      await running.listeners.stop()
      await running.app.close()
      running = null
    }
  }
  await start()

  return {
    fake,
    store,
    clock,
    communityId: community.id,
    subreddit,
    mod,
    ada,
    voters,
    app() {
      if (!running) {
        throw new Error('not running')
      }
      return running.app
    },
    async actions(type) {
      const all = await store.actions.list(community.id)
      return type === undefined ? all : all.filter((a) => a.type === type)
    },
    async until(what, check, withinMs = 10_000) {
      const deadline = Date.now() + withinMs
      while (!(await check())) {
        if (Date.now() > deadline) {
          throw new Error(`not within ${withinMs} ms: ${what}`)
        }
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    },
    async restart(whileDown) {
      await stopRunning()
      await whileDown?.()
      await start()
    },
    async close() {
      await stopRunning()
      await fake.close()
      await store.close()
      await sandbox.close()
    },
  }
}
