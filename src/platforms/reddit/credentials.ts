import { z } from 'zod'

/**
 * What a connection stores (encrypted): the moderator's tokens (`duration=permanent`, so a
 * refresh token) and who they are. PolicyKit acts on the subreddit as that moderator; the
 * integration's `externalId` is the subreddit's fullname (`t5_…`) and its `config`
 * `{ subreddit, moderator }` in plain text.
 */
export const redditCredentials = z.object({
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1),
  /** When the access token expires (ms since the epoch). */
  expiresAt: z.number(),
  scope: z.string(),
  /** The moderator's username, whom PolicyKit acts as. */
  username: z.string().min(1),
})
export type RedditCredentials = z.infer<typeof redditCredentials>

export const redditConfig = z.object({ subreddit: z.string().min(1), moderator: z.string().min(1) })
export type RedditConfig = z.infer<typeof redditConfig>
