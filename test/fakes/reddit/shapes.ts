import type { ModAction, RedditComment, RedditPost, RedditThing, RedditUser, Subreddit } from './subreddit.ts'

/**
 * Reddit's JSON for the fake's state, field for field as the recorded exchanges show them
 * (`/work`-independent: the recordings are in the specs, `recorded.test.ts` compares shapes).
 */

const deleted = '[deleted]'

function common(thing: RedditThing, viewer: string | null, moderators: Map<string, string[]>) {
  const isMod = viewer !== null && moderators.has(viewer)
  return {
    id: thing.id36,
    name: thing.fullname,
    author: thing.deleted ? deleted : thing.author,
    subreddit: thing.subreddit,
    subreddit_id: '',
    created: thing.createdUtc,
    created_utc: thing.createdUtc,
    edited: thing.edited,
    // What a moderator sees of removal and approval (others get null).
    banned_by: isMod ? thing.removedBy : null,
    approved_by: isMod ? thing.approvedBy : null,
    removal_reason: null,
    stickied: thing.stickied,
    distinguished: thing.distinguished,
    score: 1,
    ups: 1,
    downs: 0,
    likes: null,
    saved: false,
    gilded: 0,
    archived: false,
    num_reports: isMod ? 0 : null,
    mod_reports: [],
    user_reports: [],
    report_reasons: isMod ? [] : null,
    author_flair_css_class: null,
    author_flair_text: null,
  }
}

/**
 * A post; `inListing`: as subreddit listings show it (they add a few fields a post's own page
 * does not have).
 */
export function postJson(
  post: RedditPost,
  subreddit: Subreddit,
  viewer: string | null,
  numComments: number,
  inListing: boolean,
) {
  const permalink = `/r/${post.subreddit}/comments/${post.id36}/${post.title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .slice(0, 50)}/`
  return {
    kind: 't3',
    data: {
      ...common(post, viewer, subreddit.moderators),
      subreddit_id: `t5_${subreddit.id36}`,
      title: post.title,
      selftext: post.deleted ? deleted : post.selftext,
      selftext_html: null,
      is_self: true,
      domain: `self.${post.subreddit}`,
      url: `https://www.reddit.com${permalink}`,
      permalink,
      locked: post.locked,
      num_comments: numComments,
      link_flair_text: post.flair,
      link_flair_css_class: null,
      thumbnail: 'self',
      hidden: false,
      hide_score: false,
      clicked: false,
      visited: false,
      ...(inListing ? { contest_mode: false, spoiler: false } : {}),
      quarantine: false,
      over_18: false,
      suggested_sort: null,
      media: null,
      media_embed: {},
      secure_media: null,
      secure_media_embed: {},
    },
  }
}

/**
 * A comment; `inListing`: as the subreddit's comments and mod queue show it, with its post's
 * title, author and URL (a comment's own answers and /api/info have none of them). `replies`: the
 * Listing of its replies on a post's page, else `""`.
 */
export function commentJson(
  comment: RedditComment,
  subreddit: Subreddit,
  viewer: string | null,
  post: RedditPost | undefined,
  inListing: boolean,
  replies: unknown = '',
) {
  return {
    kind: 't1',
    data: {
      ...common(comment, viewer, subreddit.moderators),
      subreddit_id: `t5_${subreddit.id36}`,
      body: comment.deleted ? deleted : comment.body,
      body_html: null,
      parent_id: comment.parentId,
      link_id: comment.linkId,
      ...(inListing
        ? {
            link_title: post?.title ?? '',
            link_author: post?.author ?? deleted,
            link_url: post ? `https://www.reddit.com/r/${post.subreddit}/comments/${post.id36}/` : '',
            quarantine: false,
            over_18: false,
          }
        : {}),
      controversiality: 0,
      score_hidden: false,
      replies,
    },
  }
}

export function subredditJson(subreddit: Subreddit, viewer: string | null) {
  const permissions = viewer === null ? undefined : subreddit.moderators.get(viewer)
  return {
    kind: 't5',
    data: {
      id: subreddit.id36,
      name: `t5_${subreddit.id36}`,
      display_name: subreddit.name,
      display_name_prefixed: `r/${subreddit.name}`,
      title: subreddit.name,
      url: `/r/${subreddit.name}/`,
      subreddit_type: 'public',
      subscribers: 1,
      over18: false,
      user_is_moderator: permissions !== undefined,
      user_is_banned: viewer !== null && subreddit.banned.has(viewer),
      mod_permissions: permissions ?? [],
      created_utc: 1_400_000_000,
      created: 1_400_000_000,
    },
  }
}

export function userJson(user: RedditUser) {
  return {
    kind: 't2',
    data: {
      id: user.id36,
      name: user.name,
      created: user.createdUtc,
      created_utc: user.createdUtc,
      link_karma: user.linkKarma,
      comment_karma: user.commentKarma,
      is_gold: false,
      is_mod: false,
      is_friend: false,
      has_verified_email: true,
      hide_from_robots: false,
    },
  }
}

/** `/api/v1/me`: the account itself, not wrapped in a thing. */
export function meJson(user: RedditUser) {
  const account: Record<string, unknown> = { ...userJson(user).data }
  delete account['is_friend']
  return {
    ...account,
    is_employee: false,
    has_mail: false,
    has_mod_mail: false,
    is_suspended: false,
    suspension_expiration_utc: null,
    over_18: false,
    in_beta: false,
    inbox_count: 0,
    gold_creddits: 0,
    gold_expiration: null,
  }
}

export function modActionJson(action: ModAction, subreddit: Subreddit) {
  return {
    kind: 'modaction',
    data: {
      id: action.id,
      mod: action.mod,
      mod_id36: '',
      action: action.action,
      target_fullname: action.targetFullname,
      target_author: action.targetAuthor,
      target_title: null,
      target_body: null,
      target_permalink: null,
      details: action.details,
      description: null,
      created_utc: action.createdUtc,
      subreddit: subreddit.name,
      sr_id36: subreddit.id36,
    },
  }
}

/** A Listing: `before`/`after` are the fullnames at its ends when there is more that way. */
export function listingJson(children: unknown[], after: string | null, before: string | null) {
  return { kind: 'Listing', data: { modhash: null, children, after, before } }
}
