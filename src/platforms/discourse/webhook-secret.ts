import { createHmac } from 'node:crypto'

/**
 * The secret a forum's webhook is signed with: HMAC-SHA256 of the forum's URL under the server's
 * webhook key. Derived rather than stored so that a delivery can be verified before anything is
 * read (the URL is in `X-Discourse-Instance`), and one forum's secret says nothing of another's.
 */
export function discourseWebhookSecret(webhookKey: string, forumUrl: string): string {
  return createHmac('sha256', webhookKey).update(`discourse webhook ${forumUrl}`).digest('hex')
}
