import type { FastifyReply, FastifyRequest } from 'fastify'
import { isAppError, statusByCode } from '../../errors.ts'
import type { FirstCommunitySetup } from './first-community-setup.ts'
import type { Activation } from './install-steps.ts'

/**
 * The options of a route browsers follow (install, set-up, sign-in): not part of the API's
 * documentation, and answering each address at a human pace.
 */
export const browserRoute = { schema: { hide: true }, config: { rateLimit: { max: 30, timeWindow: 60_000 } } }

/** Text made safe to put in HTML, in an element or a quoted attribute. */
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** Whether a browser asked (it followed a link: install, sign-in), rather than a script. */
export function wantsPage(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').includes('text/html')
}

/** A plain page for a browser that followed a link to a platform's route and cannot continue. */
export function errorPage(
  reply: FastifyReply,
  status: number,
  page: { platform: string; title: string; message: string; back: { href: string; label: string } },
) {
  const { title, message, back } = page
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.platform)} · PolicyKit</title></head>
<body><main><h1>${escapeHtml(title)}</h1><p role="alert">${escapeHtml(message)}</p>
<p><a href="${escapeHtml(back.href)}">${escapeHtml(back.label)}</a></p></main></body></html>`
  return reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body)
}

/**
 * The error handler of a platform's OAuth connect routes (install, set-up), top-level browser
 * navigations: an `AppError` a browser meets becomes a page leading back to the set-up while it
 * can go on, else to PolicyKit's start page. Anything else, or a script's request, goes on to the
 * app's handler. (Sign-in routes have `signInErrorHandler`.)
 */
export function connectErrorHandler(setup: Pick<FirstCommunitySetup, 'backLink'>, title: string) {
  return async (error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    if (!isAppError(error) || !wantsPage(request)) {
      throw error
    }
    const status = statusByCode[error.code]
    const setupBack = await setup.backLink(request)
    if (setupBack) {
      return errorPage(reply, status, {
        platform: title,
        title: `PolicyKit could not be set up with ${title}`,
        message: error.message,
        back: setupBack,
      })
    }
    return errorPage(reply, status, {
      platform: title,
      title: `${title} could not be connected`,
      message: error.message,
      back: { href: '/', label: 'Back to PolicyKit' },
    })
  }
}

/** The error handler of a platform's sign-in routes: an `AppError` a browser meets leads back to PolicyKit's sign-in. */
export function signInErrorHandler(title: string) {
  return async (error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    if (!isAppError(error) || !wantsPage(request)) {
      throw error
    }
    return errorPage(reply, statusByCode[error.code], {
      platform: title,
      title: `${title} could not sign you in`,
      message: error.message,
      back: { href: '/login', label: 'Back to sign-in' },
    })
  }
}

/**
 * Where the dashboard shows what an install did: the community's settings, told which platform
 * connected and how its activation went. A refusal travels as a code, not the message: the page
 * shows its own text for it, so a crafted link cannot put words in its mouth.
 */
export function installedSettingsUrl(platform: string, communityId: number, activation: Activation): string {
  const query = new URLSearchParams({ connected: platform, activation: activation.status })
  if ('proposalId' in activation) {
    query.set('proposal', String(activation.proposalId))
  }
  if (activation.status === 'refused') {
    query.set('reason', activation.code)
  }
  return `/c/${communityId}/settings?${query}`
}
