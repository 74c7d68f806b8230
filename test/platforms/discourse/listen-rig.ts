import type { FastifyInstance } from 'fastify'
import type { Action } from '../../../src/domain/action.ts'
import { discourseWebhookSecret } from '../../../src/platforms/discourse/webhook-secret.ts'
import { createQuickJsSandbox } from '../../../src/sandbox/quickjs-sandbox.ts'
import type { Store } from '../../../src/store/store.ts'
import {
  connectFakeDiscourseDirectly,
  testDiscourseOptions,
  testDiscourseWebhookKey,
} from '../../fakes/discourse/connect-directly.ts'
import { startFakeDiscourse, type FakeDiscourse } from '../../fakes/discourse/fake-discourse.ts'
import type { ForumUser } from '../../fakes/discourse/forum.ts'
import { fakeClock, type FakeClock } from '../../support/fake-clock.ts'
import { startPlatformServer } from '../../support/platform-server.ts'
import { openTestStore } from '../../support/test-store.ts'

/**
 * The real server (on a port) with Discourse configured, and the fake forum's webhook pointed at
 * it with the secret PolicyKit derives for the forum, as the forum's admin would enter it. The
 * forum is connected by writing its integration, acting as `policykit`.
 */
export interface ListenRig {
  fake: FakeDiscourse
  store: Store
  clock: FakeClock
  app: FastifyInstance
  communityId: number
  bot: ForumUser
  ada: ForumUser
  actions(): Promise<Action[]>
  close(): Promise<void>
}

export async function startListenRig(
  dialect: 'sqlite' | 'postgres',
  options: { memberPermissions: string[] },
): Promise<ListenRig> {
  const sandbox = await createQuickJsSandbox({ poolSize: 1 })
  const store = await openTestStore(dialect)
  const clock = fakeClock()
  const fake = await startFakeDiscourse({ now: () => clock.now() })
  const bot = fake.forum.addUser({ username: 'policykit', admin: true })
  const ada = fake.forum.addUser({ username: 'ada', name: 'Ada Lovelace' })
  const { app, origin } = await startPlatformServer({
    store,
    sandbox,
    clock,
    settings: { discourse: testDiscourseOptions },
  })
  fake.hook = {
    url: `${origin}/platforms/discourse/webhook`,
    secret: discourseWebhookSecret(testDiscourseWebhookKey, fake.url),
  }
  const community = await store.communities.create({ name: 'Gardeners', now: clock.now() })
  await store.roles.create(community.id, { name: 'Member', permissions: options.memberPermissions, isDefault: true })
  await connectFakeDiscourseDirectly(store, fake, community.id, bot, clock.now())
  return {
    fake,
    store,
    clock,
    app,
    communityId: community.id,
    bot,
    ada,
    actions: () => store.actions.list(community.id),
    async close() {
      await app.close()
      await fake.close()
      await store.close()
      await sandbox.close()
    },
  }
}
