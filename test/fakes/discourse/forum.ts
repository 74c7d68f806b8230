import { createHash } from 'node:crypto'

/**
 * The fake forum's state: users, categories, topics and posts (with their revisions and deleted
 * state), as a Discourse site holds them. The HTTP server and the driver both act on it; nothing
 * here knows about HTTP.
 */
export interface ForumUser {
  id: number
  username: string
  name: string | null
  admin: boolean
  moderator: boolean
  active: boolean
  suspendedTill: string | null
  createdAt: string
}

export interface ForumCategory {
  id: number
  name: string
  slug: string
}

export interface ForumTopic {
  id: number
  title: string
  categoryId: number
  userId: number
  archetype: 'regular' | 'private_message'
  /** Usernames a private message is addressed to. */
  recipients: string[]
  closed: boolean
  deletedAt: string | null
  createdAt: string
}

/** A poll in a post (Discourse's poll plugin), from its `[poll]` markup. */
export interface ForumPoll {
  name: string
  /** Discourse's option ids are digests of the option; the fake's are too. */
  options: Array<{ id: string; html: string }>
  status: 'open' | 'closed'
  /** Whether voters are shown (`public=true`): `/polls/voters.json` answers only then. */
  public: boolean
  /** Each voter's chosen option ids, by user id. */
  votes: Map<number, string[]>
}

/** A User API Key the forum gave an application for one user. */
export interface UserApiKey {
  key: string
  userId: number
  clientId: string
  scopes: string[]
  revoked: boolean
}

export interface ForumPost {
  id: number
  topicId: number
  userId: number
  postNumber: number
  /** Every raw the post had, oldest first: the last one is current (version = length). */
  revisions: string[]
  deletedAt: string | null
  createdAt: string
  updatedAt: string
  polls: ForumPoll[]
}

/** The polls `[poll name=… public=true]` … `* option` … `[/poll]` in a post's raw. */
export function parsePolls(raw: string): ForumPoll[] {
  const polls: ForumPoll[] = []
  for (const match of raw.matchAll(/\[poll([^\]]*)\]([\s\S]*?)\[\/poll\]/g)) {
    const attributes = Object.fromEntries(
      [...(match[1] ?? '').matchAll(/(\w+)=("?)([^\s"]*)\2/g)].map((a) => [a[1] ?? '', a[3] ?? '']),
    )
    const options = (match[2] ?? '')
      .split('\n')
      .map((line) => /^\s*[*-]\s+(.+?)\s*$/.exec(line)?.[1])
      .filter((text): text is string => text !== undefined)
      .map((html) => ({
        id: createHash('md5')
          .update(JSON.stringify([html]))
          .digest('hex'),
        html,
      }))
    polls.push({
      name: attributes.name ?? 'poll',
      options,
      status: attributes.status === 'closed' ? 'closed' : 'open',
      public: attributes.public === 'true',
      votes: new Map(),
    })
  }
  return polls
}

const slugOf = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '') || 'topic'

export class Forum {
  readonly users: ForumUser[] = []
  readonly categories: ForumCategory[] = []
  readonly topics: ForumTopic[] = []
  readonly posts: ForumPost[] = []
  readonly userApiKeys: UserApiKey[] = []
  /** Webhooks made through the admin API (`POST /admin/api/web_hooks.json`). */
  readonly webhooks: Array<{ id: number; url: string; secret: string; contentType: number; wildcard: boolean }> = []
  readonly title: string
  readonly now: () => number
  private nextId = { user: 1, category: 1, topic: 1, post: 1 }

  constructor(title: string, now: () => number) {
    this.title = title
    this.now = now
    // Discourse's own accounts have negative ids: `system` posts notices, `discobot` greets.
    this.users.push(this.user(-1, 'system', 'system', true), this.user(-2, 'discobot', 'discobot', false))
    this.addCategory('Uncategorized')
  }

  private iso = () => new Date(this.now()).toISOString()

  private user(id: number, username: string, name: string | null, admin: boolean): ForumUser {
    return { id, username, name, admin, moderator: false, active: true, suspendedTill: null, createdAt: this.iso() }
  }

  addUser(input: { username: string; name?: string; admin?: boolean; moderator?: boolean }): ForumUser {
    const user = this.user(this.nextId.user++, input.username, input.name ?? null, input.admin ?? false)
    user.moderator = input.moderator ?? false
    this.users.push(user)
    return user
  }

  addCategory(name: string): ForumCategory {
    const category = { id: this.nextId.category++, name, slug: slugOf(name) }
    this.categories.push(category)
    return category
  }

  findUser(idOrName: number | string): ForumUser | undefined {
    return this.users.find((u) => (typeof idOrName === 'number' ? u.id === idOrName : u.username === idOrName))
  }

  topic(id: number): ForumTopic | undefined {
    return this.topics.find((t) => t.id === id)
  }

  post(id: number): ForumPost | undefined {
    return this.posts.find((p) => p.id === id)
  }

  postsOf(topicId: number): ForumPost[] {
    return this.posts.filter((p) => p.topicId === topicId)
  }

  slug(topic: ForumTopic): string {
    return slugOf(topic.title)
  }

  /** A topic and its first post. */
  createTopic(
    user: ForumUser,
    input: { title: string; raw: string; categoryId?: number; recipients?: string[] },
  ): { topic: ForumTopic; post: ForumPost } {
    const topic: ForumTopic = {
      id: this.nextId.topic++,
      title: input.title,
      categoryId: input.categoryId ?? 1,
      userId: user.id,
      archetype: input.recipients ? 'private_message' : 'regular',
      recipients: input.recipients ?? [],
      closed: false,
      deletedAt: null,
      createdAt: this.iso(),
    }
    this.topics.push(topic)
    return { topic, post: this.reply(user, topic, input.raw) }
  }

  reply(user: ForumUser, topic: ForumTopic, raw: string): ForumPost {
    const post: ForumPost = {
      id: this.nextId.post++,
      topicId: topic.id,
      userId: user.id,
      postNumber: this.postsOf(topic.id).length + 1,
      revisions: [raw],
      deletedAt: null,
      createdAt: this.iso(),
      updatedAt: this.iso(),
      polls: parsePolls(raw),
    }
    this.posts.push(post)
    return post
  }

  edit(post: ForumPost, raw: string): void {
    post.revisions.push(raw)
    post.updatedAt = this.iso()
    // Discourse keeps a poll's votes while its options stay as they were.
    const polls = parsePolls(raw)
    for (const poll of polls) {
      const before = post.polls.find((p) => p.name === poll.name)
      if (before && before.options.map((o) => o.id).join() === poll.options.map((o) => o.id).join()) {
        poll.votes = before.votes
        poll.status = before.status
      }
    }
    post.polls = polls
  }

  /** `user` votes `options` (by text) in the post's poll, replacing their earlier vote; none takes it back. */
  vote(user: ForumUser, post: ForumPost, options: string[], pollName = 'poll'): void {
    const poll = post.polls.find((p) => p.name === pollName)
    if (!poll || poll.status !== 'open') {
      throw new Error(`post ${post.id} has no open poll ${pollName}`)
    }
    const ids = options.map((text) => {
      const option = poll.options.find((o) => o.html === text)
      if (!option) {
        throw new Error(`poll ${pollName} has no option ${text}`)
      }
      return option.id
    })
    if (ids.length === 0) {
      poll.votes.delete(user.id)
    } else {
      poll.votes.set(user.id, ids)
    }
  }

  /** Deleting a topic deletes its posts with it; recovering brings them back. */
  setTopicDeleted(topic: ForumTopic, deleted: boolean): void {
    topic.deletedAt = deleted ? this.iso() : null
    for (const post of this.postsOf(topic.id)) {
      post.deletedAt = topic.deletedAt
    }
  }

  setPostDeleted(post: ForumPost, deleted: boolean): void {
    post.deletedAt = deleted ? this.iso() : null
  }
}
