import { randomBytes } from 'node:crypto'
import { z } from 'zod'
import { AppError } from '../../errors.ts'
import { browserRoute, signInErrorHandler } from '../kit/browser-pages.ts'
import { parseLinkQuery, roundTripCookie } from '../kit/oauth.ts'
import { readState, signState } from '../kit/signed-state.ts'
import { constantTimeEqual } from '../kit/verify-request.ts'
import type { PlatformHost, PlatformHttp } from '../platform-http.ts'
import type { PlatformPorts } from '../platform-ports.ts'
import { discoursePlatformName } from './context.ts'
import { forumUrl } from './credentials.ts'
import { memberOfForumUser } from './forum-members.ts'
import { grantOfPayload, ownerOfUserKey, userApiKeyAttempt } from './user-api-key.ts'
import { forumFetch } from './client.ts'
import type { DiscourseOptions } from './options.ts'

/**
 * Sign in with Discourse through its User API Key flow: for each attempt PolicyKit makes an RSA
 * key pair and a nonce, and sends the browser to the forum's `/user-api-key/new` with the public
 * key; the forum sends it back with the key it made for the user, encrypted with that public key.
 * PolicyKit decrypts it (the private key travelled in the attempt's cookie, encrypted under the
 * server's key), checks the nonce, asks the forum who the key belongs to
 * (`/session/current.json`), revokes the key (it was needed once), and signs the member in.
 */

export const signInPath = '/platforms/discourse/signin'
const callbackPath = `${signInPath}/callback`
const cookieName = 'pk_discourse_signin'
const lifetimeMs = 10 * 60_000
const attempt = z.object({ f: z.string(), n: z.string(), c: z.string(), k: z.string() })
const startQuery = z.object({ forum: forumUrl.optional() })
const callbackQuery = z.object({ payload: z.string().min(1).max(4096) })
const cookieOptions = (host: PlatformHost) => roundTripCookie(host.publicUrl, signInPath)

const formPage = (message: string | null) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Discourse · PolicyKit</title></head>
<body><main><h1>Sign in with Discourse</h1>${message === null ? '' : `<p role="alert">${message}</p>`}
<form method="get" action="${signInPath}"><label>Your forum’s address <input name="forum" type="url" required placeholder="https://forum.example.org"></label>
<button type="submit">Continue</button></form><p><a href="/login">Back to sign-in</a></p></main></body></html>`

export function discourseSignInRoutes(options: DiscourseOptions, ports: PlatformPorts): PlatformHttp {
  const fetchFn = forumFetch(options)
  return async (app, host) => {
    const key = host.deriveKey('discourse sign-in')
    await app.register(async (routes) => {
      routes.setErrorHandler(signInErrorHandler('Discourse'))

      /** Step one: `GET /platforms/discourse/signin?forum=<url>` (a form asks for the forum without it). */
      routes.get('/signin', browserRoute, async (request, reply) => {
        const { forum } = parseLinkQuery(startQuery, request.query)
        if (forum === undefined) {
          return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(formPage(null))
        }
        const integration = await ports.integrations.findByExternalId(forum)
        if (!integration?.active) {
          throw new AppError(
            'not_found',
            `The forum ${forum} is not connected to a PolicyKit community. An admin of the community connects it from the community's settings.`,
          )
        }
        const nonce = randomBytes(16).toString('hex')
        const attempted = userApiKeyAttempt(key, { forum, authRedirect: `${host.publicUrl}${callbackPath}`, nonce })
        const state = signState(
          key,
          { f: forum, n: nonce, c: attempted.clientId, k: attempted.sealedKey },
          host.now() + lifetimeMs,
        )
        reply.setCookie(cookieName, state, { ...cookieOptions(host), maxAge: lifetimeMs / 1000 })
        return reply.header('cache-control', 'no-store').redirect(attempted.url)
      })

      /** Step two: the forum's redirect with `payload`; signs the member in and goes to their community. */
      routes.get('/signin/callback', browserRoute, async (request, reply) => {
        const cookie = request.cookies[cookieName]
        reply.clearCookie(cookieName, cookieOptions(host))
        const started = cookie === undefined ? null : readState(key, cookie, attempt, host.now())
        if (!started) {
          throw new AppError(
            'forbidden',
            'This Discourse sign-in was not started in this browser, or took longer than 10 minutes. Try again.',
          )
        }
        const { payload } = parseLinkQuery(callbackQuery, request.query)
        const granted = grantOfPayload(key, started.k, payload)
        if (!granted || !constantTimeEqual(granted.nonce, started.n)) {
          throw new AppError('forbidden', 'Discourse sign-in could not be verified. Try again.')
        }
        const who = await ownerOfUserKey(fetchFn, started.f, granted.key, started.c)
        if (!who) {
          throw new AppError('forbidden', 'Discourse did not say who signed in. Try again.')
        }
        const integration = await ports.integrations.findByExternalId(started.f)
        if (!integration?.active) {
          throw new AppError('not_found', `The forum ${started.f} is not connected to a PolicyKit community.`)
        }
        const { communityId } = integration
        const member = await memberOfForumUser(ports.members, communityId, who)
        if (!member) {
          throw new AppError('forbidden', 'This Discourse account cannot sign in to PolicyKit.')
        }
        const user = await host.signInMember(request, reply, communityId, member)
        host.logger.info(
          { platform: discoursePlatformName, communityId, memberId: member.id, userId: user.id },
          'signed in with Discourse',
        )
        return reply.redirect(`/c/${communityId}`)
      })
    })
  }
}
