/** Discourse's server-wide settings, from config. */
export interface DiscourseOptions {
  /** Each forum's webhook secret is an HMAC of its URL under this key (`webhook-secret.ts`). */
  webhookKey: string
}
