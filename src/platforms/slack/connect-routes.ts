import type { FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { rowIdParam } from '../../domain/int4.ts'
import { AppError, isAppError, statusByCode } from '../../errors.ts'
import type { PlatformHttp } from '../platform-http.ts'
import { completeInstall, installUrl, slackLinks, type InstallResult } from './install.ts'
import { completeSetupInstall, isSetupState, setupBackLink, setupInstallUrl } from './setup-install.ts'
import { completeSignIn, signInUrl } from './signin.ts'
import type { SlackDeps } from './slack-deps.ts'

/** These routes are followed by browsers; each answers from one address at a human pace. */
const rateLimit = { max: 30, timeWindow: 60_000 }

const callbackQuery = z.object({
  code: z.string().max(1000).optional(),
  state: z.string().max(2000).optional(),
  error: z.string().max(200).optional(),
})

/** `?community=<id>` connects a community; `?setup=<set-up token>&kit=<kit>` founds the first one. */
const installQuery = z.object({
  community: rowIdParam.optional(),
  setup: z.string().max(200).optional(),
  kit: z.string().max(100).optional(),
})

function parseQuery<T extends z.ZodType>(schema: T, query: unknown): z.infer<T> {
  const parsed = schema.safeParse(query)
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')
    throw new AppError('invalid_input', `This link is not valid (${issues}).`)
  }
  return parsed.data
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

function wantsPage(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').includes('text/html')
}

/** A plain page for a browser that followed a link here and cannot continue. */
function errorPage(
  reply: FastifyReply,
  status: number,
  page: { title: string; message: string; back: { href: string; label: string } },
) {
  const { title, message, back } = page
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Slack · PolicyKit</title></head>
<body><main><h1>${escapeHtml(title)}</h1><p role="alert">${escapeHtml(message)}</p>
<p><a href="${escapeHtml(back.href)}">${escapeHtml(back.label)}</a></p></main></body></html>`
  return reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body)
}

/** Where the dashboard shows what an install did. */
function settingsUrl(result: InstallResult): string {
  const query = new URLSearchParams({ connected: 'slack', activation: result.activation.status })
  const { activation } = result
  if ('proposalId' in activation) {
    query.set('proposal', String(activation.proposalId))
  }
  if (activation.status === 'refused') {
    // A code, not the message: the page shows its own text for it, so a crafted link cannot put words in its mouth.
    query.set('reason', activation.code)
  }
  return `/c/${result.communityId}/settings?${query}`
}

/**
 * Connecting a workspace (OAuth v2 install), founding the first community from one (Set up with
 * Slack) and Sign in with Slack (OpenID Connect), mounted under `/platforms/slack`:
 * `GET /install?community=<id>`, `GET /install?setup=<set-up token>&kit=<kit>`,
 * `GET /oauth/callback` (both installs), `GET /signin`, `GET /signin/callback`. They are top-level browser navigations, so they authenticate
 * themselves (the session, a signed state) and answer errors with a page when a browser asks.
 */
export function slackConnectRoutes({ options }: Pick<SlackDeps, 'options'>): PlatformHttp {
  return async (app, host) => {
    await app.register(async (routes) => {
      routes.setErrorHandler(async (error, request, reply) => {
        if (!isAppError(error) || !wantsPage(request)) {
          throw error
        }
        const status = statusByCode[error.code]
        const setupBack = await setupBackLink(host, request)
        if (setupBack) {
          return errorPage(reply, status, {
            title: 'PolicyKit could not be set up with Slack',
            message: error.message,
            back: setupBack,
          })
        }
        const signIn = request.url.startsWith(slackLinks.signInPath)
        return errorPage(reply, status, {
          title: 'Slack could not be connected',
          message: error.message,
          back: signIn ? { href: '/login', label: 'Back to sign-in' } : { href: '/', label: 'Back to PolicyKit' },
        })
      })

      routes.get('/install', { schema: { hide: true }, config: { rateLimit } }, async (request, reply) => {
        const { community, setup, kit } = parseQuery(installQuery, request.query)
        if (setup !== undefined) {
          const url = await setupInstallUrl(host, options, reply, { token: setup, kit })
          return reply.header('cache-control', 'no-store').redirect(url)
        }
        if (community === undefined) {
          throw new AppError('invalid_input', 'This link is not valid (community: required).')
        }
        return reply.redirect(await installUrl(host, options, request, community))
      })

      routes.get('/oauth/callback', { schema: { hide: true }, config: { rateLimit } }, async (request, reply) => {
        const callback = parseQuery(callbackQuery, request.query)
        if (isSetupState(callback.state)) {
          const { communityId } = await completeSetupInstall(host, options, request, reply, callback)
          return reply.redirect(`/c/${communityId}?connected=slack`)
        }
        const result = await completeInstall(host, options, request, callback)
        return reply.redirect(settingsUrl(result))
      })

      routes.get('/signin', { schema: { hide: true }, config: { rateLimit } }, async (_request, reply) => {
        return reply.header('cache-control', 'no-store').redirect(signInUrl(host, options, reply))
      })

      routes.get('/signin/callback', { schema: { hide: true }, config: { rateLimit } }, async (request, reply) => {
        const { communityId } = await completeSignIn(
          host,
          options,
          request,
          reply,
          parseQuery(callbackQuery, request.query),
        )
        return reply.redirect(`/c/${communityId}`)
      })
    })
  }
}
