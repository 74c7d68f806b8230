/**
 * The fake Reddit's state: accounts, one or more subreddits with their moderators (and their mod
 * permissions), posts and comments (removed, approved, deleted, edited and locked state), bans,
 * the mod log and private messages. The HTTP server and the driver both act on it; nothing here
 * knows about HTTP.
 */
export interface RedditUser {
  id36: string
  name: string
  /** Seconds since the epoch, as Reddit's `created_utc`. */
  createdUtc: number
  linkKarma: number
  commentKarma: number
}

interface ThingBase {
  id36: string
  /** `t3_…` or `t1_…`. */
  fullname: string
  subreddit: string
  author: string
  createdUtc: number
  /** The order things were made in (several can share a second). */
  seq: number
  /** The moderator who removed it (`banned_by`), null when not removed. */
  removedBy: string | null
  approvedBy: string | null
  /** Deleted by its author: Reddit shows `[deleted]` for author and text. */
  deleted: boolean
  /** When it was last edited (seconds), false when never. */
  edited: false | number
  locked: boolean
  /** Held by the spam filter for a moderator's review: in the mod queue until approved or removed. */
  filtered: boolean
  stickied: boolean
  distinguished: string | null
}

export interface RedditPost extends ThingBase {
  kind: 't3'
  title: string
  selftext: string
  flair: string | null
}

export interface RedditComment extends ThingBase {
  kind: 't1'
  body: string
  /** The post (`t3_…`) or comment (`t1_…`) replied to. */
  parentId: string
  /** The post the thread is under. */
  linkId: string
}

export type RedditThing = RedditPost | RedditComment

export interface ModAction {
  id: string
  mod: string
  action: string
  targetFullname: string | null
  targetAuthor: string
  details: string | null
  createdUtc: number
  subreddit: string
}

export interface Subreddit {
  id36: string
  name: string
  /** Moderator name → permissions (`all`, `posts`, `access`, `mail`, …), in the order added. */
  moderators: Map<string, string[]>
  banned: Map<string, { reason: string; note: string; duration: number | null }>
  log: ModAction[]
}

export interface PrivateMessage {
  from: string
  to: string
  subject: string
  text: string
}

export class RedditWorld {
  readonly users = new Map<string, RedditUser>()
  readonly subreddits = new Map<string, Subreddit>()
  readonly things = new Map<string, RedditThing>()
  readonly messages: PrivateMessage[] = []
  private nextId = 36 ** 5
  private seq = 0
  private readonly now: () => number

  constructor(now: () => number) {
    this.now = now
  }

  private id36(): string {
    this.nextId += 1
    return this.nextId.toString(36)
  }

  /** Seconds, as Reddit stamps things (several things made within a second share it). */
  seconds(): number {
    return Math.floor(this.now() / 1000)
  }

  addUser(name: string, input: { ageDays?: number; linkKarma?: number; commentKarma?: number } = {}): RedditUser {
    const user = {
      id36: this.id36(),
      name,
      createdUtc: this.seconds() - (input.ageDays ?? 365) * 86_400,
      linkKarma: input.linkKarma ?? 10,
      commentKarma: input.commentKarma ?? 10,
    }
    this.users.set(name.toLowerCase(), user)
    return user
  }

  user(name: string): RedditUser | undefined {
    return this.users.get(name.toLowerCase())
  }

  addSubreddit(name: string, moderators: Array<{ user: RedditUser; permissions?: string[] }>): Subreddit {
    const subreddit: Subreddit = {
      id36: this.id36(),
      name,
      moderators: new Map(moderators.map((m) => [m.user.name, m.permissions ?? ['all']])),
      banned: new Map(),
      log: [],
    }
    this.subreddits.set(name.toLowerCase(), subreddit)
    return subreddit
  }

  subreddit(name: string): Subreddit | undefined {
    return this.subreddits.get(name.toLowerCase())
  }

  /** Whether `user` moderates `subreddit` with `permission` (or `all`). */
  mayModerate(subreddit: Subreddit, user: string, permission: string): boolean {
    const permissions = subreddit.moderators.get(user)
    return permissions !== undefined && (permissions.includes('all') || permissions.includes(permission))
  }

  private base(subreddit: Subreddit, author: string): Omit<ThingBase, 'fullname'> & { id36: string } {
    this.seq += 1
    return {
      id36: this.id36(),
      subreddit: subreddit.name,
      author,
      createdUtc: this.seconds(),
      seq: this.seq,
      removedBy: null,
      approvedBy: null,
      deleted: false,
      edited: false,
      locked: false,
      filtered: false,
      stickied: false,
      distinguished: null,
    }
  }

  submit(
    subreddit: Subreddit,
    author: string,
    post: { title: string; text: string; flair?: string | null },
  ): RedditPost {
    const base = this.base(subreddit, author)
    const made: RedditPost = {
      ...base,
      kind: 't3',
      fullname: `t3_${base.id36}`,
      title: post.title,
      selftext: post.text,
      flair: post.flair ?? null,
    }
    this.things.set(made.fullname, made)
    return made
  }

  comment(parent: RedditThing, author: string, body: string): RedditComment {
    const subreddit = this.subreddit(parent.subreddit)
    if (!subreddit) {
      throw new Error(`no subreddit ${parent.subreddit}`)
    }
    const base = this.base(subreddit, author)
    const made: RedditComment = {
      ...base,
      kind: 't1',
      fullname: `t1_${base.id36}`,
      body,
      parentId: parent.fullname,
      linkId: parent.kind === 't3' ? parent.fullname : parent.linkId,
    }
    this.things.set(made.fullname, made)
    return made
  }

  edit(thing: RedditThing, text: string): void {
    if (thing.kind === 't3') {
      thing.selftext = text
    } else {
      thing.body = text
    }
    thing.edited = this.seconds()
  }

  /** The author deletes it: gone from listings, `[deleted]` where it still shows. */
  delete(thing: RedditThing): void {
    thing.deleted = true
  }

  /** A mod log entry about `target` (a thing, or a user's name for bans). */
  logAction(
    subreddit: Subreddit,
    mod: string,
    action: string,
    target: RedditThing | RedditUser | null,
    details: string | null = null,
  ): void {
    subreddit.log.unshift({
      id: `ModAction_${this.id36()}`,
      mod,
      action,
      // An action on an account (a ban) names the account's `t2_` fullname, as Reddit's log does.
      targetFullname: target === null ? null : 'fullname' in target ? target.fullname : `t2_${target.id36}`,
      targetAuthor: target === null ? '' : 'fullname' in target ? target.author : target.name,
      details,
      createdUtc: this.seconds(),
      subreddit: subreddit.name,
    })
  }

  /** Things of `subreddit`, newest first, as listings order them. */
  listing(subreddit: Subreddit, filter: (thing: RedditThing) => boolean): RedditThing[] {
    return [...this.things.values()]
      .filter((t) => t.subreddit === subreddit.name && filter(t))
      .sort((a, b) => b.seq - a.seq)
  }

  posts(subreddit: Subreddit): RedditPost[] {
    return this.listing(subreddit, (t) => t.kind === 't3').filter((t): t is RedditPost => t.kind === 't3')
  }

  comments(subreddit: Subreddit): RedditComment[] {
    return this.listing(subreddit, (t) => t.kind === 't1').filter((t): t is RedditComment => t.kind === 't1')
  }
}
