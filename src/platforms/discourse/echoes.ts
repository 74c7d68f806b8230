import { createHash } from 'node:crypto'
import { z } from 'zod'

/** What PolicyKit does to members' topics and posts whose webhooks name the member. */
export type EchoedChange = 'destroyed' | 'recovered'

/**
 * PolicyKit's own changes to members' posts come back as webhooks naming the member (Discourse's
 * `post_edited`, `post_destroyed`, `topic_destroyed`, … carry the author, not who acted). Before
 * such a call the action records the echo it expects (`ports.echoes`); the webhook consumes it
 * and so knows the change is PolicyKit's. What PolicyKit posts itself needs no record: it posts
 * as the connected user.
 */
export const discourseEcho = {
  /** The `post_edited` of an edit that set the post's raw to `raw`. */
  edit: (postId: number, raw: string) =>
    `edit:${postId}:${createHash('sha256').update(raw).digest('base64url').slice(0, 22)}`,
  /**
   * The `topic_destroyed` / `topic_recovered` of PolicyKit deleting or recovering a topic.
   * Discourse tells of the topic's first post too (`post_destroyed` / `post_recovered`): `firstPost`.
   */
  topic: (change: EchoedChange, topicId: number) => `topic_${change}:${topicId}`,
  /** The `post_<change>` of the first post of a topic PolicyKit deleted or recovered. */
  firstPost: (change: EchoedChange, topicId: number) => `post_${change}:first-of:${topicId}`,
  /** The `post_destroyed` / `post_recovered` of PolicyKit deleting or recovering a reply. */
  post: (change: EchoedChange, postId: number) => `post_${change}:${postId}`,
}

/** The echoes a topic's deletion or recovery sends back: the topic's event and its first post's. */
export const topicEchoes = (change: EchoedChange, topicId: number): string[] => [
  discourseEcho.topic(change, topicId),
  discourseEcho.firstPost(change, topicId),
]

const hookTopic = z.object({ id: z.number().int() })
const hookPost = z.object({ id: z.number().int(), post_number: z.number().int(), topic_id: z.number().int() })

/**
 * The echo a `topic_destroyed`, `topic_recovered`, `post_destroyed` or `post_recovered` webhook
 * would consume; null for other events and for payloads without the ids.
 */
export function changeEchoOf(event: string, body: Record<string, unknown>): string | null {
  const match = /^(topic|post)_(destroyed|recovered)$/.exec(event)
  const change = match?.[2] as EchoedChange | undefined
  if (change === undefined) {
    return null
  }
  if (match?.[1] === 'topic') {
    const topic = hookTopic.safeParse(body.topic)
    return topic.success ? discourseEcho.topic(change, topic.data.id) : null
  }
  const post = hookPost.safeParse(body.post)
  if (!post.success) {
    return null
  }
  return post.data.post_number === 1
    ? discourseEcho.firstPost(change, post.data.topic_id)
    : discourseEcho.post(change, post.data.id)
}
