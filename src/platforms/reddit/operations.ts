import { AppError } from '../../errors.ts'
import { expectingEchoes } from '../kit/echo-records.ts'
import type { PlatformContext } from '../platform.ts'
import { redditApi, type RedditApi } from './api.ts'
import type { RedditDeps } from './deps.ts'
import { echoKey } from './echoes.ts'
import { commented, submitted, type CommentData } from './things.ts'

/**
 * The Reddit calls behind the actions and the policy functions, as the connection's moderator,
 * each with its echo recorded so the poller does not take PolicyKit's own doing for a member's.
 */
export interface RedditOperations {
  api(ctx: PlatformContext): RedditApi
  submit(
    ctx: PlatformContext,
    post: { title: string; text: string; flair?: string | undefined },
  ): Promise<{ fullname: string; url: string }>
  comment(ctx: PlatformContext, parent: string, text: string): Promise<CommentData>
  edit(ctx: PlatformContext, fullname: string, text: string): Promise<void>
  /** `approve`, `remove`, `lock` or `unlock` one item. */
  moderate(ctx: PlatformContext, action: 'approve' | 'remove' | 'lock' | 'unlock', fullname: string): Promise<void>
  message(ctx: PlatformContext, input: { to: string; subject: string; text: string }): Promise<void>
  ban(
    ctx: PlatformContext,
    input: { username: string; reason?: string | undefined; note?: string | undefined; days?: number | undefined },
  ): Promise<void>
  unban(ctx: PlatformContext, username: string): Promise<void>
}

/** Mod log action names, by kind of thing, for the echoes of approve and remove. */
function logAction(action: 'approve' | 'remove' | 'lock' | 'unlock', fullname: string): string {
  if (action === 'lock' || action === 'unlock') {
    return action
  }
  return `${action}${fullname.startsWith('t3_') ? 'link' : 'comment'}`
}

export function redditOperations(deps: RedditDeps): RedditOperations {
  const { echoes } = deps.ports
  const api = (ctx: PlatformContext): RedditApi => {
    if (ctx.integration === null) {
      throw new AppError('platform_rejected', 'Reddit is not connected')
    }
    return redditApi(deps, ctx.integration, ctx.credentials)
  }

  /** Records the mod log entry's echo before the call; forgets it when the call fails. */
  const withModEcho = (ctx: PlatformContext, key: string, call: () => Promise<unknown>) =>
    expectingEchoes(echoes, ctx.communityId, [key], call)

  return {
    api,
    async submit(ctx, post) {
      const reddit = api(ctx)
      const answer = submitted.safeParse(
        await reddit.post('/api/submit', {
          sr: reddit.subreddit,
          kind: 'self',
          title: post.title,
          text: post.text,
          flair_text: post.flair,
          sendreplies: true,
          resubmit: true,
        }),
      )
      if (!answer.success) {
        throw new AppError('platform_rejected', 'submit: Reddit gave no fullname for the post')
      }
      const { name, url } = answer.data.json.data
      await echoes.record(ctx.communityId, echoKey.item(name))
      return { fullname: name, url }
    },
    async comment(ctx, parent, text) {
      const answer = commented.safeParse(await api(ctx).post('/api/comment', { thing_id: parent, text }))
      const [made] = answer.success ? answer.data.json.data.things : []
      if (made === undefined) {
        throw new AppError('platform_rejected', 'comment: Reddit gave no comment back')
      }
      await echoes.record(ctx.communityId, echoKey.item(made.data.name))
      return made.data
    },
    async edit(ctx, fullname, text) {
      await api(ctx).post('/api/editusertext', { thing_id: fullname, text })
    },
    async moderate(ctx, action, fullname) {
      const reddit = api(ctx)
      await withModEcho(ctx, echoKey.modAction(logAction(action, fullname), fullname), () =>
        reddit.post(`/api/${action}`, { id: fullname, ...(action === 'remove' ? { spam: false } : {}) }),
      )
    },
    async message(ctx, input) {
      await api(ctx).post('/api/compose', { to: input.to, subject: input.subject, text: input.text })
    },
    async ban(ctx, input) {
      const reddit = api(ctx)
      await withModEcho(ctx, echoKey.modAction('banuser', input.username.toLowerCase()), () =>
        reddit.post(`/r/${reddit.subreddit}/api/friend`, {
          type: 'banned',
          name: input.username,
          ban_reason: input.reason,
          note: input.note,
          duration: input.days,
        }),
      )
    },
    async unban(ctx, username) {
      const reddit = api(ctx)
      await withModEcho(ctx, echoKey.modAction('unbanuser', username.toLowerCase()), () =>
        reddit.post(`/r/${reddit.subreddit}/api/unfriend`, { type: 'banned', name: username }),
      )
    },
  }
}
