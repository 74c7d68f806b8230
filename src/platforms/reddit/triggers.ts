import { z } from 'zod'
import type { TriggerDef } from '../platform.ts'

const data = z.record(z.string(), z.json())

/**
 * What trigger policies see of what the poller reads (PolicyKit's own posts, comments and mod
 * actions excepted): `action.fullname`, `author`, `text`, … as each description says.
 */
export const redditTriggers: Record<string, TriggerDef> = {
  submission: {
    description: 'A new post in the subreddit: fullname, author, title, text, createdUtc, permalink',
    data,
  },
  comment: {
    description: 'A new comment in the subreddit: fullname, author, text, parent, post, createdUtc, permalink',
    data,
  },
  modAction: {
    description:
      'An entry of the mod log: id, mod, action (removelink, banuser, …), target, targetAuthor, details, createdUtc',
    data,
  },
}
