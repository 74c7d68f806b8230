import { invalidAccess, invalidParameters, notFound, unprocessable } from './errors.ts'
import type { Forum, ForumPoll, ForumPost, ForumTopic, ForumUser, UserApiKey } from './forum.ts'
import { adminUserJson, basicUserJson, categoryJson, pollJson, postJson, shownPostJson, topicJson } from './shapes.ts'

/**
 * One API request, authenticated as `user`: the `Api-Username` an admin key acts as, or the user
 * a User API Key was given for (`userApiKey`).
 */
export interface ApiRequest {
  user: ForumUser
  userApiKey?: UserApiKey
  params: Record<string, string>
  body: Record<string, unknown>
  query: URLSearchParams
}

export interface Route {
  method: string
  /** The path as openapi.json names it (`/posts/{id}.json`), for checking the answer. */
  route: string
  handle(forum: Forum, request: ApiRequest): unknown
  /** Reachable with a User API Key (which the fake gives the `session_info` scope only). */
  userApi?: boolean
}

/** Each page of the admin user list holds this many (Discourse: 100). */
export const usersPerPage = 100

const num = (value: unknown, what: string): number => {
  const n = typeof value === 'number' ? value : Number(value)
  if (!Number.isInteger(n)) {
    throw invalidParameters(`${what} must be an integer`)
  }
  return n
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined)

function topicOf(forum: Forum, id: string): ForumTopic {
  const topic = forum.topic(num(id, 'id'))
  if (!topic) {
    throw notFound()
  }
  return topic
}

function postOf(forum: Forum, id: string, viewer: ForumUser): ForumPost {
  const post = forum.post(num(id, 'id'))
  // Staff see deleted posts (with `deleted_at`); others do not.
  if (!post || (post.deletedAt !== null && !viewer.admin)) {
    throw notFound()
  }
  return post
}

function userOf(forum: Forum, id: string): ForumUser {
  const user = forum.findUser(num(id, 'id'))
  if (!user) {
    throw notFound()
  }
  return user
}

function pollOf(forum: Forum, request: ApiRequest): { post: ForumPost; poll: ForumPoll } {
  const source = { ...Object.fromEntries(request.query), ...request.body }
  const post = postOf(forum, String(num(source.post_id, 'post_id')), request.user)
  const poll = post.polls.find((p) => p.name === (text(source.poll_name) ?? 'poll'))
  if (!poll) {
    throw invalidParameters('poll_name is invalid')
  }
  return { post, poll }
}

function requireStaff(user: ForumUser): void {
  if (!user.admin && !user.moderator) {
    throw invalidAccess()
  }
}

function createPost(forum: Forum, { user, body }: ApiRequest): unknown {
  const raw = text(body.raw)
  if (raw === undefined || raw.trim().length < 2) {
    throw unprocessable('Body is too short (minimum is 2 characters)')
  }
  if (body.topic_id !== undefined) {
    const topic = topicOf(forum, String(num(body.topic_id, 'topic_id')))
    if (topic.deletedAt !== null || topic.closed) {
      throw invalidAccess()
    }
    return postJson(forum, forum.reply(user, topic, raw), user)
  }
  const title = text(body.title)
  if (title === undefined || title.trim().length < 5) {
    throw unprocessable('Title is too short (minimum is 5 characters)')
  }
  if (forum.topics.some((t) => t.title === title && t.deletedAt === null)) {
    throw unprocessable('Title has already been used')
  }
  const archetype = text(body.archetype)
  let recipients: string[] | undefined
  if (archetype === 'private_message') {
    recipients = (text(body.target_recipients) ?? '').split(',').filter((name) => name !== '')
    if (recipients.length === 0 || recipients.some((name) => !forum.findUser(name))) {
      throw unprocessable('You must choose a valid user.')
    }
  }
  const categoryId = body.category === undefined ? undefined : num(body.category, 'category')
  if (categoryId !== undefined && !forum.categories.some((c) => c.id === categoryId)) {
    throw unprocessable('Category can’t be blank')
  }
  const { post } = forum.createTopic(user, {
    title,
    raw,
    ...(categoryId === undefined ? {} : { categoryId }),
    ...(recipients === undefined ? {} : { recipients }),
  })
  return postJson(forum, post, user)
}

/** The routes of Discourse's API the fake serves. */
export const apiRoutes: Route[] = [
  {
    method: 'GET',
    route: '/about.json',
    handle: (forum) => ({ about: { title: forum.title, description: 'A fake forum', version: '3.4.0' } }),
  },
  {
    method: 'GET',
    route: '/admin/users/list/{flag}.json',
    handle(forum, { user, params, query }) {
      requireStaff(user)
      if (params.flag !== 'active') {
        throw notFound()
      }
      const page = Math.max(1, Number(query.get('page') ?? 1))
      const active = forum.users.filter((u) => u.active)
      return active.slice((page - 1) * usersPerPage, page * usersPerPage).map(adminUserJson)
    },
  },
  {
    method: 'GET',
    route: '/categories.json',
    handle: (forum) => ({
      category_list: {
        can_create_category: true,
        can_create_topic: true,
        categories: forum.categories.map((c) => categoryJson(forum, c)),
      },
    }),
  },
  { method: 'POST', route: '/posts.json', handle: createPost },
  {
    method: 'GET',
    route: '/posts/{id}.json',
    handle(forum, { user, params, query }) {
      const post = postOf(forum, params.id ?? '', user)
      // `?version=N` shows the post as it was at that version (Discourse's revert_to).
      const version = query.get('version')
      if (version !== null) {
        const n = num(version, 'version')
        if (n < 1 || n > post.revisions.length) {
          throw notFound()
        }
        return shownPostJson(forum, { ...post, revisions: post.revisions.slice(0, n) }, user)
      }
      return shownPostJson(forum, post, user)
    },
  },
  {
    method: 'PUT',
    route: '/posts/{id}.json',
    handle(forum, { user, params, body }) {
      const post = postOf(forum, params.id ?? '', user)
      const raw = text((body.post as Record<string, unknown> | undefined)?.raw) ?? text(body['post[raw]'])
      if (raw === undefined) {
        throw invalidParameters('param is missing or the value is empty: post')
      }
      forum.edit(post, raw)
      return { post: postJson(forum, post, user) }
    },
  },
  {
    method: 'DELETE',
    route: '/posts/{id}.json',
    handle(forum, { user, params }) {
      const post = postOf(forum, params.id ?? '', user)
      forum.setPostDeleted(post, true)
      return null
    },
  },
  {
    method: 'PUT',
    route: '/posts/{id}/recover',
    handle(forum, { user, params }) {
      requireStaff(user)
      const post = postOf(forum, params.id ?? '', user)
      forum.setPostDeleted(post, false)
      return shownPostJson(forum, post, user)
    },
  },
  {
    method: 'DELETE',
    route: '/t/{id}.json',
    handle(forum, { user, params }) {
      requireStaff(user)
      forum.setTopicDeleted(topicOf(forum, params.id ?? ''), true)
      return null
    },
  },
  {
    method: 'PUT',
    route: '/t/{id}/recover',
    handle(forum, { user, params }) {
      requireStaff(user)
      forum.setTopicDeleted(topicOf(forum, params.id ?? ''), false)
      return { success: 'OK' }
    },
  },
  {
    method: 'PUT',
    route: '/t/{id}/status.json',
    handle(forum, { user, params, body }) {
      requireStaff(user)
      const topic = topicOf(forum, params.id ?? '')
      if (body.status !== 'closed' || (body.enabled !== 'true' && body.enabled !== 'false')) {
        throw invalidParameters('status must be closed and enabled true or false (the fake models closing only)')
      }
      topic.closed = body.enabled === 'true'
      return { success: 'OK', topic_status_update: null }
    },
  },
  {
    method: 'GET',
    route: '/t/{id}.json',
    handle(forum, { user, params }) {
      const topic = topicOf(forum, params.id ?? '')
      if (topic.deletedAt !== null && !user.admin) {
        throw notFound()
      }
      return topicJson(forum, topic)
    },
  },
  {
    method: 'PUT',
    route: '/admin/users/{id}/suspend.json',
    handle(forum, { user, params, body }) {
      requireStaff(user)
      const target = userOf(forum, params.id ?? '')
      const until = text(body.suspend_until)
      const reason = text(body.reason)
      if (until === undefined || reason === undefined || Number.isNaN(Date.parse(until))) {
        throw invalidParameters('suspend_until and reason are required')
      }
      if (target.admin) {
        throw invalidAccess()
      }
      target.suspendedTill = new Date(Date.parse(until)).toISOString()
      return {
        suspension: {
          suspend_reason: reason,
          full_suspend_reason: reason,
          suspended_till: target.suspendedTill,
          suspended_at: new Date(forum.now()).toISOString(),
          suspended_by: { ...basicUserJson(user), name: user.name ?? user.username },
        },
      }
    },
  },
  {
    method: 'PUT',
    route: '/admin/users/{id}/unsuspend.json',
    handle(forum, { user, params }) {
      requireStaff(user)
      const target = userOf(forum, params.id ?? '')
      target.suspendedTill = null
      return { suspension: { suspended_till: null, suspended_at: null } }
    },
  },
  {
    method: 'PUT',
    route: '/polls/toggle_status',
    handle(forum, request) {
      const { post, poll } = pollOf(forum, request)
      const status = text(request.body.status)
      if (status !== 'open' && status !== 'closed') {
        throw invalidParameters('status must be open or closed')
      }
      if (post.userId !== request.user.id && !request.user.admin && !request.user.moderator) {
        throw invalidAccess()
      }
      poll.status = status
      return { poll: pollJson(poll) }
    },
  },
  {
    method: 'GET',
    route: '/polls/voters.json',
    handle(forum, request) {
      const { poll } = pollOf(forum, request)
      if (!poll.public) {
        throw unprocessable('This poll’s voters are not public.')
      }
      const limit = Math.min(50, Math.max(1, Number(request.query.get('limit') ?? 25) || 25))
      const page = Math.max(1, Number(request.query.get('page') ?? 1) || 1)
      const optionId = request.query.get('option_id')
      const voters: Record<string, unknown[]> = {}
      for (const option of poll.options) {
        if (optionId !== null && option.id !== optionId) {
          continue
        }
        const ids = [...poll.votes.entries()].filter(([, chosen]) => chosen.includes(option.id)).map(([id]) => id)
        voters[option.id] = ids
          .slice((page - 1) * limit, page * limit)
          .map((id) => forum.findUser(id))
          .filter((u): u is ForumUser => u !== undefined)
          .map(basicUserJson)
      }
      return { voters }
    },
  },
  {
    method: 'POST',
    route: '/admin/api/web_hooks.json',
    handle(forum, { user, body }) {
      if (!user.admin) {
        throw invalidAccess()
      }
      const hook = (body.web_hook ?? {}) as Record<string, unknown>
      const url = text(hook.payload_url)
      if (url === undefined || !/^https?:\/\//.test(url)) {
        throw unprocessable('Payload URL is invalid')
      }
      const made = {
        id: forum.webhooks.length + 1,
        url,
        secret: text(hook.secret) ?? '',
        contentType: num(hook.content_type ?? 1, 'content_type'),
        wildcard: hook.wildcard_web_hook === true || hook.wildcard_web_hook === 'true',
      }
      forum.webhooks.push(made)
      return {
        web_hook: {
          id: made.id,
          payload_url: made.url,
          content_type: made.contentType,
          last_delivery_status: 1,
          secret: '',
          wildcard_web_hook: made.wildcard,
          verify_certificate: true,
          active: true,
          web_hook_event_types: [],
        },
      }
    },
  },
  {
    method: 'GET',
    route: '/session/current.json',
    userApi: true,
    handle: (_forum, { user }) => ({
      current_user: { ...basicUserJson(user), admin: user.admin, moderator: user.moderator },
    }),
  },
  {
    method: 'POST',
    route: '/user-api-key/revoke',
    userApi: true,
    handle(_forum, { userApiKey }) {
      if (!userApiKey) {
        throw invalidAccess()
      }
      userApiKey.revoked = true
      return { success: 'OK' }
    },
  },
  {
    method: 'PUT',
    route: '/t/-/{id}.json',
    handle(forum, { user, params, body }) {
      requireStaff(user)
      const topic = topicOf(forum, params.id ?? '')
      const change = (body.topic ?? body) as Record<string, unknown>
      if (change.category_id !== undefined) {
        const categoryId = num(change.category_id, 'category_id')
        if (!forum.categories.some((c) => c.id === categoryId)) {
          throw unprocessable('Category can’t be blank')
        }
        topic.categoryId = categoryId
      }
      if (typeof change.title === 'string') {
        topic.title = change.title
      }
      return {
        basic_topic: {
          id: topic.id,
          title: topic.title,
          fancy_title: topic.title,
          slug: forum.slug(topic),
          posts_count: forum.postsOf(topic.id).length,
        },
      }
    },
  },
]
