import { invalidAccess, invalidParameters, notFound, unprocessable } from './errors.ts'
import type { Forum, ForumPost, ForumTopic, ForumUser } from './forum.ts'
import { adminUserJson, categoryJson, postJson, shownPostJson } from './shapes.ts'

/** One API request, authenticated as `user` (the `Api-Username` an admin key acts as). */
export interface ApiRequest {
  user: ForumUser
  params: Record<string, string>
  body: Record<string, unknown>
  query: URLSearchParams
}

export interface Route {
  method: string
  /** The path as openapi.json names it (`/posts/{id}.json`), for checking the answer. */
  route: string
  handle(forum: Forum, request: ApiRequest): unknown
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
    handle: (forum, { user, params }) => shownPostJson(forum, postOf(forum, params.id ?? '', user), user),
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
