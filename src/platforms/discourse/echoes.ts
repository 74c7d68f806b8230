import { createHash } from 'node:crypto'

/**
 * PolicyKit's own changes to members' posts come back as webhooks naming the member (Discourse's
 * `post_edited` carries the post's author, not its editor). Before such a call the action records
 * the echo it expects (`ports.echoes`); the webhook consumes it and so knows the edit is
 * PolicyKit's. What PolicyKit posts itself needs no record: it posts as the connected user.
 */
export const discourseEcho = {
  /** The `post_edited` of an edit that set the post's raw to `raw`. */
  edit: (postId: number, raw: string) =>
    `edit:${postId}:${createHash('sha256').update(raw).digest('base64url').slice(0, 22)}`,
}
