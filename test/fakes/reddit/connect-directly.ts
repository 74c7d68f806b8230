import type { RedditOptions } from '../../../src/platforms/reddit/options.ts'
import type { Store } from '../../../src/store/store.ts'
import type { FakeReddit } from './fake-reddit.ts'
import type { RedditUser, Subreddit } from './subreddit.ts'

/** The Reddit app settings that point PolicyKit at `fake` (both hosts), polling every `pollIntervalMs`. */
export const fakeRedditOptions = (fake: FakeReddit, pollIntervalMs = 100): RedditOptions => ({
  clientId: fake.clientId,
  clientSecret: fake.clientSecret,
  userAgent: 'test:policykit:1.0 (by /u/policykit_tests)',
  oauthUrl: fake.url,
  apiUrl: fake.url,
  pollIntervalMs,
})

/**
 * Connects `subreddit` to a community as a finished connection would (tokens of `moderator`),
 * without the OAuth round trip: for tests of what happens after connecting.
 */
export async function connectFakeRedditDirectly(
  store: Store,
  fake: FakeReddit,
  input: { communityId: number; moderator: RedditUser; subreddit: Subreddit; now: number },
): Promise<number> {
  const tokens = fake.issueTokens(
    input.moderator,
    'identity read submit edit modposts modlog modcontributors privatemessages',
  )
  const integration = await store.integrations.create(input.communityId, {
    platform: 'reddit',
    externalId: `t5_${input.subreddit.id36}`,
    config: { subreddit: input.subreddit.name, moderator: input.moderator.name },
    credentials: { ...tokens, scope: 'identity read submit', username: input.moderator.name },
    now: input.now,
  })
  return integration.id
}
