import { randomBytes } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { rowIdParam } from '../../../domain/int4.ts'
import { AppError, isAppError, statusByCode } from '../../../errors.ts'
import { errorPage, installedSettingsUrl, wantsPage } from '../../kit/browser-pages.ts'
import { communityOfInstall, managingMember, startCommunityInstall } from '../../kit/community-install.ts'
import { ensureMember } from '../../kit/ensure-member.ts'
import { activate, linkInstaller, saveIntegration } from '../../kit/install-steps.ts'
import { authorizationCode, oauthCallbackQuery, parseLinkQuery, roundTripCookie } from '../../kit/oauth.ts'
import { readState, signState } from '../../kit/signed-state.ts'
import { constantTimeEqual } from '../../kit/verify-request.ts'
import type { PlatformLinks } from '../../platform.ts'
import type { PlatformHost, PlatformHttp } from '../../platform-http.ts'
import { redditApi } from '../api.ts'
import type { RedditDeps } from '../deps.ts'
import { accountId } from '../listen/poller.ts'
import { authorizeUrl, connectableSubreddits, exchangeCode, type ModeratedSubreddit } from './grant.ts'
import { redditModScopes, redditSignInScopes } from './scopes.ts'

export const redditLinks = {
  title: 'Reddit',
  installPath: '/platforms/reddit/install',
  signInPath: '/platforms/reddit/signin',
  setupPath: null,
} satisfies PlatformLinks

const rateLimit = { max: 30, timeWindow: 60_000 }
const lifetimeMs = 10 * 60_000
const installQuery = z.object({
  community: rowIdParam,
  /** Which of the moderator's subreddits to connect (else: the only one, or a page to pick). */
  subreddit: z
    .string()
    .regex(/^[A-Za-z0-9_]{2,21}$/)
    .optional(),
})

/** The subreddit picked before going to Reddit, for the callback (this browser only). */
const pickCookie = 'pk_reddit_pick'
const signInCookie = 'pk_reddit_signin'
const signInPrefix = 'signin.'
const pick = z.object({ sr: z.string() })
const signInPending = z.object({ n: z.string() })

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

function pickPage(reply: FastifyReply, communityId: number, eligible: ModeratedSubreddit[]) {
  const items = eligible
    .map(
      (s) =>
        `<li><a href="/platforms/reddit/install?${escapeHtml(new URLSearchParams({ community: String(communityId), subreddit: s.name }).toString())}">r/${escapeHtml(s.name)}</a></li>`,
    )
    .join('')
  return reply
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Reddit · PolicyKit</title></head><body><main><h1>Which subreddit should PolicyKit govern?</h1><ul>${items}</ul></main></body></html>`,
    )
}

/**
 * Connecting a subreddit and Sign in with Reddit, mounted under `/platforms/reddit`:
 * `GET /install?community=<id>[&subreddit=<name>]` (a moderator authorizes PolicyKit, permanent,
 * moderator scopes), `GET /signin` (identity only) and `GET /oauth/callback` for both (Reddit
 * lets an app have one redirect URI).
 */
export function redditConnectRoutes(deps: RedditDeps): PlatformHttp {
  const { ports } = deps
  return async (app, host) => {
    await app.register(async (routes) => {
      routes.setErrorHandler(async (error, request, reply) => {
        if (!isAppError(error) || !wantsPage(request)) {
          throw error
        }
        return errorPage(reply, statusByCode[error.code], {
          platform: 'Reddit',
          title: 'Reddit could not be connected',
          message: error.message,
          back: { href: '/', label: 'Back to PolicyKit' },
        })
      })

      const cookieOptions = () => roundTripCookie(host.publicUrl, '/platforms/reddit')

      routes.get('/install', { schema: { hide: true }, config: { rateLimit } }, async (request, reply) => {
        const { community, subreddit } = parseLinkQuery(installQuery, request.query)
        const state = await startCommunityInstall(host, request, {
          platform: 'reddit',
          title: 'Reddit',
          communityId: community,
        })
        if (subreddit === undefined) {
          reply.clearCookie(pickCookie, cookieOptions())
        } else {
          reply.setCookie(
            pickCookie,
            signState(host.deriveKey('reddit pick'), { sr: subreddit }, host.now() + lifetimeMs),
            {
              ...cookieOptions(),
              maxAge: lifetimeMs / 1000,
            },
          )
        }
        return reply.redirect(authorizeUrl(host, deps, { state, scopes: redditModScopes, permanent: true }))
      })

      routes.get('/signin', { schema: { hide: true }, config: { rateLimit } }, async (_request, reply) => {
        const nonce = randomBytes(16).toString('base64url')
        reply.setCookie(
          signInCookie,
          signState(host.deriveKey('reddit sign-in'), { n: nonce }, host.now() + lifetimeMs),
          {
            ...cookieOptions(),
            maxAge: lifetimeMs / 1000,
          },
        )
        return reply.header('cache-control', 'no-store').redirect(
          authorizeUrl(host, deps, {
            state: `${signInPrefix}${nonce}`,
            scopes: redditSignInScopes,
            permanent: false,
          }),
        )
      })

      routes.get('/oauth/callback', { schema: { hide: true }, config: { rateLimit } }, async (request, reply) => {
        const callback = parseLinkQuery(oauthCallbackQuery, request.query)
        if (callback.state?.startsWith(signInPrefix) === true) {
          const communityId = await completeSignIn(
            host,
            deps,
            request,
            reply,
            callback.state.slice(signInPrefix.length),
            callback,
          )
          return reply.redirect(`/c/${communityId}`)
        }
        const communityId = communityOfInstall(host, request, {
          platform: 'reddit',
          title: 'Reddit',
          state: callback.state,
        })
        const code = authorizationCode(callback, 'Reddit did not authorize PolicyKit', 'Reddit')
        const member = await managingMember(host, request, communityId, 'Reddit')
        const picked = request.cookies[pickCookie]
        reply.clearCookie(pickCookie, cookieOptions())
        const wanted = picked === undefined ? null : readState(host.deriveKey('reddit pick'), picked, pick, host.now())
        const grant = await exchangeCode(host, deps, code)
        const { eligible, lacking } = await connectableSubreddits(deps, grant.accessToken)
        const chosen =
          wanted === null
            ? eligible.length === 1
              ? eligible[0]
              : undefined
            : eligible.find((s) => s.name.toLowerCase() === wanted.sr.toLowerCase())
        if (chosen === undefined) {
          if (wanted === null && eligible.length > 1) {
            return pickPage(reply, communityId, eligible)
          }
          const missing = wanted === null ? '' : ` r/${wanted.sr} is not one of them.`
          const partial =
            lacking.length > 0
              ? ` (${lacking.map((s) => `r/${s.name}`).join(', ')}: not all of posts, access and mail)`
              : ''
          throw new AppError(
            'forbidden',
            `u/${grant.username} moderates no subreddit with the permissions PolicyKit needs (posts, access and mail, or all)${partial}.${missing}`,
          )
        }
        const existing = await ports.integrations.findByExternalId(chosen.fullname)
        if (existing && existing.communityId !== communityId) {
          throw new AppError('conflict', `r/${chosen.name} is already connected to another PolicyKit community.`)
        }
        const integration = await saveIntegration(ports, communityId, existing, {
          externalId: chosen.fullname,
          config: { subreddit: chosen.name, moderator: grant.username },
          credentials: grant.credentials,
        })
        await linkInstaller(ports, communityId, member, { id: accountId(grant.username), name: grant.username })
        const activation = integration.active
          ? ({ status: 'active' } as const)
          : await activate(ports, communityId, member.id, integration.id)
        const moderators = await importModerators(deps, communityId, integration.id)
        host.logger.info(
          { communityId, subreddit: chosen.name, activation: activation.status, moderators },
          `r/${chosen.name} connected`,
        )
        return reply.redirect(installedSettingsUrl('reddit', communityId, activation))
      })
    })
  }
}

const moderatorList = z.object({ data: z.object({ children: z.array(z.object({ name: z.string() })) }) })

/** The subreddit's moderators become members (people who post and vote become members as they appear). */
async function importModerators(deps: RedditDeps, communityId: number, integrationId: number): Promise<number> {
  const integration = await deps.ports.integrations.get(communityId, integrationId)
  if (!integration) {
    return 0
  }
  const api = redditApi(deps, integration, await deps.ports.integrations.credentials(integration))
  const parsed = moderatorList.safeParse(await api.get(`/r/${api.subreddit}/about/moderators`))
  const names = parsed.success ? parsed.data.data.children.map((c) => c.name) : []
  for (const name of names) {
    await ensureMember(deps.ports.members, communityId, { externalId: accountId(name), name })
  }
  return names.length
}

/** Sign in with Reddit: the person's Reddit account, linked to a member of a community with Reddit connected. */
async function completeSignIn(
  host: PlatformHost,
  deps: RedditDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  nonce: string,
  callback: z.infer<typeof oauthCallbackQuery>,
): Promise<number> {
  const cookie = request.cookies[signInCookie]
  reply.clearCookie(signInCookie, roundTripCookie(host.publicUrl, '/platforms/reddit'))
  const started =
    cookie === undefined ? null : readState(host.deriveKey('reddit sign-in'), cookie, signInPending, host.now())
  if (!started || !constantTimeEqual(started.n, nonce)) {
    throw new AppError(
      'forbidden',
      'This Reddit sign-in was not started in this browser, or took longer than 10 minutes. Try again.',
    )
  }
  const code = authorizationCode(callback, 'Reddit did not sign you in', 'Reddit')
  const grant = await exchangeCode(host, deps, code)
  for (const integration of await deps.ports.integrations.listAll({ activeOnly: true })) {
    const member = await deps.ports.members.findByAccount(integration.communityId, accountId(grant.username))
    if (member) {
      const user = await host.signInMember(request, reply, integration.communityId, member)
      host.logger.info(
        { communityId: integration.communityId, memberId: member.id, userId: user.id },
        'signed in with Reddit',
      )
      return integration.communityId
    }
  }
  throw new AppError(
    'not_found',
    `u/${grant.username} is not a member of a PolicyKit community with Reddit connected. Post or vote in the subreddit first, or ask an admin.`,
  )
}
