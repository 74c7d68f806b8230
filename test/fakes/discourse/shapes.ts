import type { Forum, ForumCategory, ForumPoll, ForumPost, ForumTopic, ForumUser } from './forum.ts'

/** How Discourse shows the forum's objects, field for field as openapi.json has them. */

const avatar = (user: ForumUser) => `/user_avatar/fake/${user.username}/{size}/1.png`

function author(forum: Forum, post: ForumPost): ForumUser {
  const user = forum.findUser(post.userId)
  if (!user) {
    throw new Error(`post ${post.id} has no author`)
  }
  return user
}

/** A post as `GET /posts/{id}.json`, `POST /posts.json` and `PUT /posts/{id}.json` answer it. */
export function postJson(forum: Forum, post: ForumPost, viewer: ForumUser | undefined): Record<string, unknown> {
  const user = author(forum, post)
  const topic = forum.topic(post.topicId)
  const slug = topic ? forum.slug(topic) : 'topic'
  const raw = post.revisions[post.revisions.length - 1] ?? ''
  return {
    id: post.id,
    name: user.name,
    username: user.username,
    avatar_template: avatar(user),
    created_at: post.createdAt,
    raw,
    cooked: `<p>${raw}</p>`,
    post_number: post.postNumber,
    post_type: 1,
    posts_count: forum.postsOf(post.topicId).length,
    updated_at: post.updatedAt,
    reply_count: 0,
    reply_to_post_number: null,
    quote_count: 0,
    incoming_link_count: 0,
    reads: 1,
    readers_count: 0,
    score: 0,
    yours: viewer?.id === user.id,
    topic_id: post.topicId,
    topic_slug: slug,
    display_username: user.name,
    primary_group_name: null,
    flair_name: null,
    flair_url: null,
    flair_bg_color: null,
    flair_color: null,
    version: post.revisions.length,
    can_edit: true,
    can_delete: post.deletedAt === null,
    can_recover: post.deletedAt !== null,
    can_wiki: true,
    user_title: null,
    bookmarked: false,
    actions_summary: [{ id: 2, can_act: true }],
    moderator: user.moderator,
    admin: user.admin,
    staff: user.admin || user.moderator,
    user_id: user.id,
    draft_sequence: 0,
    hidden: false,
    trust_level: 1,
    deleted_at: post.deletedAt,
    user_deleted: false,
    edit_reason: null,
    can_view_edit_history: true,
    wiki: false,
    reviewable_id: null,
    reviewable_score_count: 0,
    reviewable_score_pending_count: 0,
    post_url: `/t/${slug}/${post.topicId}/${post.postNumber}`,
  }
}

/** `GET /posts/{id}.json` has no `draft_sequence`; the poll plugin adds the post's polls. */
export function shownPostJson(forum: Forum, post: ForumPost, viewer: ForumUser | undefined): Record<string, unknown> {
  const json = postJson(forum, post, viewer)
  delete json.draft_sequence
  if (post.polls.length > 0) {
    json.polls = post.polls.map(pollJson)
  }
  return json
}

/** A poll as the poll plugin serializes it (in a post, and answering `toggle_status`). */
export function pollJson(poll: ForumPoll): Record<string, unknown> {
  return {
    name: poll.name,
    type: 'regular',
    status: poll.status,
    public: poll.public,
    results: 'always',
    options: poll.options.map((o) => ({
      id: o.id,
      html: o.html,
      votes: [...poll.votes.values()].filter((chosen) => chosen.includes(o.id)).length,
    })),
    voters: poll.votes.size,
    chart_type: 'bar',
    title: null,
  }
}

/** A user as Discourse's BasicUserSerializer has them (poll voters, `suspended_by`). */
export function basicUserJson(user: ForumUser): Record<string, unknown> {
  return { id: user.id, username: user.username, name: user.name, avatar_template: avatar(user) }
}

/** The parts of `GET /t/{id}.json` PolicyKit reads (the fake answers no more of it). */
export function topicJson(forum: Forum, topic: ForumTopic): Record<string, unknown> {
  return {
    id: topic.id,
    title: topic.title,
    fancy_title: topic.title,
    slug: forum.slug(topic),
    posts_count: forum.postsOf(topic.id).length,
    category_id: topic.categoryId,
    archetype: topic.archetype,
    closed: topic.closed,
    deleted_at: topic.deletedAt,
    user_id: topic.userId,
    created_at: topic.createdAt,
  }
}

/** One user of `GET /admin/users/list/{flag}.json`. */
export function adminUserJson(user: ForumUser): Record<string, unknown> {
  return {
    id: user.id,
    username: user.username,
    name: user.name,
    avatar_template: avatar(user),
    active: user.active,
    admin: user.admin,
    moderator: user.moderator,
    last_seen_at: null,
    last_emailed_at: null,
    created_at: user.createdAt,
    last_seen_age: null,
    last_emailed_age: null,
    created_at_age: 0,
    trust_level: 1,
    manual_locked_trust_level: null,
    title: null,
    time_read: 0,
    staged: false,
    days_visited: 0,
    posts_read_count: 0,
    topics_entered: 0,
    post_count: 0,
  }
}

export function categoryJson(forum: Forum, category: ForumCategory): Record<string, unknown> {
  const topics = forum.topics.filter((t) => t.categoryId === category.id && t.deletedAt === null)
  return {
    id: category.id,
    name: category.name,
    color: '0088CC',
    text_color: 'FFFFFF',
    style_type: 'square',
    emoji: null,
    icon: null,
    slug: category.slug,
    topic_count: topics.length,
    post_count: topics.reduce((n, t) => n + forum.postsOf(t.id).length, 0),
    position: category.id,
    description: null,
    description_text: null,
    description_excerpt: null,
    topic_url: null,
    read_restricted: false,
    permission: 1,
    notification_level: 1,
    can_edit: true,
    topic_template: null,
    topic_title_placeholder: null,
    has_children: false,
    subcategory_count: null,
    sort_order: null,
    sort_ascending: null,
    show_subcategory_list: false,
    num_featured_topics: 3,
    default_view: null,
    subcategory_list_style: 'rows_with_featured_topics',
    default_top_period: 'all',
    default_list_filter: 'all',
    minimum_required_tags: 0,
    navigate_to_first_post_after_read: false,
    topics_day: 0,
    topics_week: 0,
    topics_month: 0,
    topics_year: 0,
    topics_all_time: topics.length,
    subcategory_ids: [],
    uploaded_logo: null,
    uploaded_logo_dark: null,
    uploaded_background: null,
    uploaded_background_dark: null,
  }
}

/** The `topic` of a topic webhook (`topic_created`, …), as Discourse's WebHookTopicViewSerializer has it. */
export function topicHookJson(forum: Forum, topic: ForumTopic): Record<string, unknown> {
  const user = forum.findUser(topic.userId)
  return {
    id: topic.id,
    title: topic.title,
    fancy_title: topic.title,
    slug: forum.slug(topic),
    posts_count: forum.postsOf(topic.id).length,
    created_at: topic.createdAt,
    archetype: topic.archetype,
    category_id: topic.categoryId,
    closed: topic.closed,
    user_id: topic.userId,
    tags: [],
    deleted_at: topic.deletedAt,
    created_by: user ? { id: user.id, username: user.username, name: user.name, avatar_template: avatar(user) } : null,
  }
}

/** The `post` of a post webhook (`post_created`, `post_edited`, …). */
export function postHookJson(forum: Forum, post: ForumPost): Record<string, unknown> {
  const topic = forum.topic(post.topicId)
  const json = postJson(forum, post, undefined)
  delete json.draft_sequence
  return {
    ...json,
    topic_title: topic?.title ?? '',
    topic_archetype: topic?.archetype ?? 'regular',
    category_id: topic?.categoryId ?? 1,
  }
}

export function userHookJson(user: ForumUser): Record<string, unknown> {
  return { id: user.id, username: user.username, name: user.name, avatar_template: avatar(user), admin: user.admin }
}
