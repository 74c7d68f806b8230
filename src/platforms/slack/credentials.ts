import { z } from 'zod'
import type { JsonObject } from '../../domain/json.ts'

/**
 * What an install stores (encrypted) for a workspace. The integration's `externalId` is the team
 * id; its `config` holds `{ teamName, botUserId, appId }` in plain text.
 */
export const slackCredentials = z.object({
  /** `xoxb-…`: what PolicyKit posts, reads and reacts with. */
  botToken: z.string().min(1),
  /** `xoxp-…` of the installing admin: deleting others' messages, renaming, kicking. */
  userToken: z.string().min(1),
  /** The installing admin's Slack user id. */
  installerUserId: z.string().min(1),
  /** The bot's user id: events by it are PolicyKit's own. */
  botUserId: z.string().min(1),
})
export type SlackCredentials = z.infer<typeof slackCredentials>

export function readSlackCredentials(credentials: JsonObject): SlackCredentials {
  return slackCredentials.parse(credentials)
}
