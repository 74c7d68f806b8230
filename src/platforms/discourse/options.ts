/** Discourse's server-wide settings, from config. */
export interface DiscourseOptions {
  /** Each forum's webhook secret is an HMAC of its URL under this key (`webhook-secret.ts`). */
  webhookKey: string
  /**
   * How often pending proposals with a Discourse poll read its voters (Discourse sends no webhook
   * for a vote), in ms.
   */
  pollIntervalMs: number
  /**
   * Whether a forum whose address is on a private network (or this host) may be connected and
   * called; off, such an address is refused, at connecting and by every call (`forumFetch`), so
   * that PolicyKit cannot be pointed into its own network.
   */
  privateAddresses: boolean
}

export const defaultPollIntervalMs = 30_000
