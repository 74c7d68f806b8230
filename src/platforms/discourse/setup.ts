import type { FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { AppError, isAppError, statusByCode } from '../../errors.ts'
import { browserRoute, errorPage, escapeHtml, wantsPage } from '../kit/browser-pages.ts'
import { firstCommunitySetup, type FirstCommunitySetup } from '../kit/first-community-setup.ts'
import { parseLinkQuery } from '../kit/oauth.ts'
import { seal, unseal } from '../kit/sealed.ts'
import type { PlatformHost, PlatformHttp } from '../platform-http.ts'
import type { PlatformPorts } from '../platform-ports.ts'
import { forumFetch } from './client.ts'
import { checkForum, forumWebhook, makeWebhook } from './connect.ts'
import { discoursePlatformName } from './context.ts'
import { discourseCredentials, type DiscourseCredentials } from './credentials.ts'
import { importForumMembers } from './import-members.ts'
import type { DiscourseOptions } from './options.ts'
import { grantOfPayload, ownerOfUserKey, userApiKeyAttempt, type ForumCurrentUser } from './user-api-key.ts'

/**
 * Set up with Discourse: on first run, an admin or moderator of a forum founds the first community
 * from it with the set-up token and a starter kit. `GET /platforms/discourse/setup?setup=…&kit=…`
 * shows a form for the forum's address, an admin API key and the username PolicyKit acts as;
 * `POST /platforms/discourse/setup` checks the key with the forum (storing nothing), then sends
 * the browser through the forum's User API Key flow so the person proves who they are there:
 * `GET /platforms/discourse/setup/callback` learns who they are from the forum, and only an
 * admin or moderator of it founds the community, named after the forum, with the kit, them its
 * admin and the forum connected; the forum's people are imported, its webhook made through the
 * admin API, and the founder signed in. The API key waits in the set-up cookie, sealed under
 * the server's key, until then.
 */

export const discourseSetupPath = '/platforms/discourse/setup'
const callbackPath = `${discourseSetupPath}/callback`
const startQuery = z.object({ setup: z.string().max(200), kit: z.string().max(100).optional() })
const formBody = discourseCredentials.extend({ setup: z.string().max(200), kit: z.string().max(100).optional() })
const callbackQuery = z.object({ payload: z.string().min(1).max(4096) })

/** What waits in the set-up cookie for the forum's answer (`extra`): the forum, the sealed keys, the client id. */
const waiting = z.object({ f: z.string(), u: z.string(), a: z.string(), k: z.string(), c: z.string(), t: z.string() })

function discourseSetup(host: PlatformHost): FirstCommunitySetup {
  return firstCommunitySetup(host, {
    platform: discoursePlatformName,
    title: 'Discourse',
    cookiePath: discourseSetupPath,
    startPath: discourseSetupPath,
    callback: { path: callbackPath, shared: false },
  })
}

function formPage(
  reply: FastifyReply,
  status: number,
  form: { token: string; kit: string; url?: string; apiUsername?: string; message?: string },
) {
  const value = (v: string | undefined) => (v === undefined ? '' : ` value="${escapeHtml(v)}"`)
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Discourse · PolicyKit</title></head>
<body><main><h1>Set up with Discourse</h1>
${form.message === undefined ? '' : `<p role="alert">${escapeHtml(form.message)}</p>`}
<p>PolicyKit connects to your forum with an admin API key (Admin → API → New API key, for all users or for the user
PolicyKit acts as). It checks the key with the forum, then asks the forum who you are: only an admin or moderator of
the forum can found the community from it.</p>
<form method="post" action="${discourseSetupPath}">
<input type="hidden" name="setup"${value(form.token)}><input type="hidden" name="kit"${value(form.kit)}>
<p><label>Your forum’s address <input name="url" type="url" required placeholder="https://forum.example.org"${value(form.url)}></label></p>
<p><label>Admin API key <input name="apiKey" type="password" required autocomplete="off"></label></p>
<p><label>Username PolicyKit acts as <input name="apiUsername" required placeholder="system"${value(form.apiUsername)}></label></p>
<p><button type="submit">Continue to the forum</button></p></form>
<p><a href="/setup?${escapeHtml(new URLSearchParams({ token: form.token }).toString())}">Back to set-up</a></p></main></body></html>`
  return formHeaders(reply)
    .status(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(body)
}

/**
 * The form page's own header changes: its post goes on to the forum (a redirect, which the
 * page's `form-action` must allow), and carries the page's Origin, which the route checks (a
 * browser sends `Origin: null` under `Referrer-Policy: no-referrer`).
 */
function formHeaders(reply: FastifyReply): FastifyReply {
  const csp = reply.getHeader('content-security-policy')
  if (typeof csp === 'string') {
    reply.header('content-security-policy', csp.replace("form-action 'self'", "form-action 'self' https: http:"))
  }
  return reply.header('referrer-policy', 'same-origin')
}

/** The parsed form, or an `invalid_input` naming what is wrong. */
function parseForm(body: unknown): z.infer<typeof formBody> {
  const parsed = formBody.safeParse(body)
  if (!parsed.success) {
    throw new AppError('invalid_input', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '))
  }
  return parsed.data
}

/** The person the forum says came back, when they are an admin or moderator there. */
function requireStaff(who: ForumCurrentUser | null, forumTitleText: string): ForumCurrentUser {
  if (!who) {
    throw new AppError('forbidden', 'Discourse did not say who you are. Open the set-up link again.')
  }
  if (who.id <= 0 || (who.admin !== true && who.moderator !== true)) {
    throw new AppError(
      'forbidden',
      `Only an admin or moderator of ${forumTitleText} can set PolicyKit up from it, and ${who.username} is neither. Nothing was set up.`,
    )
  }
  return who
}

export function discourseSetupRoutes(options: DiscourseOptions, ports: PlatformPorts): PlatformHttp {
  const fetchFn = forumFetch(options)
  return async (app, host) => {
    const setup = discourseSetup(host)
    const sealKey = host.deriveKey('discourse setup seal')

    /** Step two: checks the key with the forum, then sends the browser to prove who they are there. */
    const start = async (request: FastifyRequest, reply: FastifyReply) => {
      const form = parseForm(request.body)
      const { setup: token, kit } = form
      const forum: DiscourseCredentials = { url: form.url, apiKey: form.apiKey, apiUsername: form.apiUsername }
      await setup.check({ token, kit })
      const title = await checkForum(forum, 'invalid_input', options)
      if (await ports.integrations.findByExternalId(forum.url)) {
        throw new AppError('conflict', `The forum ${forum.url} is already connected to a PolicyKit community.`)
      }
      let url = ''
      await setup.start(reply, { token, kit }, (nonce) => {
        const authRedirect = `${host.publicUrl}${callbackPath}`
        const attempt = userApiKeyAttempt(sealKey, { forum: forum.url, authRedirect, nonce })
        url = attempt.url
        return {
          f: forum.url,
          u: forum.apiUsername,
          a: seal(sealKey, Buffer.from(forum.apiKey, 'utf8')),
          k: attempt.sealedKey,
          c: attempt.clientId,
          t: title,
        }
      })
      return reply.header('cache-control', 'no-store').redirect(url, 303)
    }

    /** Step three: the forum's answer; founds the community when an admin or moderator came back. */
    const complete = async (request: FastifyRequest, reply: FastifyReply) => {
      const { payload } = parseLinkQuery(callbackQuery, request.query)
      const saved = waiting.safeParse(setup.pending(request)?.extra)
      const granted = saved.success ? grantOfPayload(sealKey, saved.data.k, payload) : null
      const pending = await setup.resume(request, reply, granted?.nonce ?? null)
      if (!granted || !saved.success) {
        throw new AppError('forbidden', 'Discourse did not answer this set-up. Open the set-up link again.')
      }
      const { f: url, u: apiUsername, a: sealedApiKey, c: clientId, t: title } = saved.data
      const forum: DiscourseCredentials = { url, apiUsername, apiKey: unseal(sealKey, sealedApiKey).toString('utf8') }
      const founder = requireStaff(await ownerOfUserKey(fetchFn, url, granted.key, clientId), title)
      if (await ports.integrations.findByExternalId(url)) {
        throw new AppError('conflict', `The forum ${url} is already connected to a PolicyKit community.`)
      }
      const { communityId } = await setup.found(
        request,
        reply,
        {
          pending,
          place: url,
          communityName: title.trim().slice(0, 100) || url,
          founder: {
            username: founder.username,
            displayName: founder.name ?? founder.username,
            account: { platform: discoursePlatformName, externalId: String(founder.id), username: founder.username },
          },
          integration: { platform: discoursePlatformName, externalId: url, config: { title }, credentials: forum },
        },
        async (id) => (await importForumMembers(fetchFn, ports.members, id, forum)).count,
      )
      const made = await makeWebhook(fetchFn, forum, forumWebhook(host.publicUrl, options, url))
      if (!made.created) {
        host.logger.warn(
          { communityId, forum: url, error: made.error },
          'the forum’s webhook could not be made at set-up: enter it in Discourse by hand (see README, Connect Discourse)',
        )
      }
      return reply.redirect(`/c/${communityId}?connected=discourse`)
    }

    await app.register(async (routes) => {
      // The form posts as browsers do.
      routes.addContentTypeParser(
        'application/x-www-form-urlencoded',
        { parseAs: 'string' },
        (_request, body, done) => {
          done(null, Object.fromEntries(new URLSearchParams(String(body))))
        },
      )
      routes.setErrorHandler(async (error, request, reply) => {
        if (!isAppError(error) || !wantsPage(request)) {
          throw error
        }
        const status = statusByCode[error.code]
        if (request.method === 'POST') {
          // Back to the form, filled in again (all but the key), while the set-up can go on.
          const form = z.object({ setup: z.string(), kit: z.string(), url: z.string(), apiUsername: z.string() })
          const given = form.safeParse(request.body)
          if (given.success && (await host.setupNeeded(given.data.setup))) {
            const { setup: token, ...rest } = given.data
            return formPage(reply, status, { token, ...rest, message: error.message })
          }
        }
        return errorPage(reply, status, {
          platform: 'Discourse',
          title: 'PolicyKit could not be set up with Discourse',
          message: error.message,
          back: (await setup.backLink(request)) ?? { href: '/', label: 'Back to PolicyKit' },
        })
      })

      /** Step one: the form, once the token and kit are found good. */
      routes.get('/setup', browserRoute, async (request, reply) => {
        const { setup: token, kit } = parseLinkQuery(startQuery, request.query)
        return formPage(reply, 200, { token, kit: await setup.check({ token, kit }) })
      })
      // A sign-in route: a cross-site post is refused by its Origin.
      routes.post('/setup', { ...browserRoute, config: { ...browserRoute.config, signIn: true } }, start)
      routes.get('/setup/callback', browserRoute, complete)
    })
  }
}
