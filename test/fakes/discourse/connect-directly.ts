import type { Store } from '../../../src/store/store.ts'
import type { FakeDiscourse } from './fake-discourse.ts'
import type { ForumUser } from './forum.ts'

/** A webhook key for tests (config's DISCOURSE_WEBHOOK_KEY). */
export const testDiscourseWebhookKey = 'discourse-webhook-key-for-tests-0123456789'

/** The environment that turns Discourse on for the fake forum, which runs on this host. */
export const testDiscourseEnv = {
  DISCOURSE_WEBHOOK_KEY: testDiscourseWebhookKey,
  DISCOURSE_PRIVATE_ADDRESSES: 'allow',
}

/**
 * Discourse's settings for tests: polls read every 100 ms, so a vote counts within a test's
 * seconds, and the fake forum on this host may be connected.
 */
export const testDiscourseOptions = { webhookKey: testDiscourseWebhookKey, pollIntervalMs: 100, privateAddresses: true }

/**
 * Connects the fake forum to a community as a finished connection would (the admin key acting as
 * `actor`), without the connect flow: for tests of what happens after connecting.
 */
export async function connectFakeDiscourseDirectly(
  store: Store,
  fake: FakeDiscourse,
  communityId: number,
  actor: ForumUser,
  now: number,
): Promise<void> {
  await store.integrations.create(communityId, {
    platform: 'discourse',
    externalId: fake.url,
    config: { title: fake.forum.title },
    credentials: { url: fake.url, apiKey: fake.apiKey, apiUsername: actor.username },
    now,
  })
}
