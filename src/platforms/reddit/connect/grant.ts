import { z } from 'zod'
import { AppError } from '../../../errors.ts'
import type { PlatformHost } from '../../platform-http.ts'
import { callRedditApi, credentialsFrom, requestToken } from '../client.ts'
import type { RedditCredentials } from '../credentials.ts'
import { redditHttp } from '../api.ts'
import type { RedditDeps } from '../deps.ts'
import { holdsNeededPermissions } from './scopes.ts'

/** Reddit lets a web app have one redirect URI: installs, set-up and sign-in all come back here. */
export const callbackPath = '/platforms/reddit/oauth/callback'

export function authorizeUrl(
  host: PlatformHost,
  deps: RedditDeps,
  input: { state: string; scopes: readonly string[]; permanent: boolean },
): string {
  const url = new URL(`${deps.options.oauthUrl}/api/v1/authorize`)
  url.searchParams.set('client_id', deps.options.clientId)
  url.searchParams.set('response_type', 'code')
  url.searchParams.set('state', input.state)
  url.searchParams.set('redirect_uri', `${host.publicUrl}${callbackPath}`)
  url.searchParams.set('duration', input.permanent ? 'permanent' : 'temporary')
  url.searchParams.set('scope', input.scopes.join(' '))
  return url.href
}

const me = z.object({ name: z.string().min(1) })

const moderated = z.object({
  data: z.object({
    children: z.array(
      z.object({
        kind: z.literal('t5'),
        data: z.object({
          name: z.string(),
          display_name: z.string(),
          mod_permissions: z.array(z.string()).default([]),
        }),
      }),
    ),
    after: z.string().nullable(),
  }),
})

export interface ModeratedSubreddit {
  /** `t5_…` */
  fullname: string
  name: string
  permissions: string[]
}

/** What an authorization grants: the tokens, who granted them, and the subreddits they moderate. */
export interface Grant {
  username: string
  credentials: RedditCredentials
  accessToken: string
}

/** Exchanges the callback's code for tokens and asks Reddit whose they are. */
export async function exchangeCode(host: PlatformHost, deps: RedditDeps, code: string): Promise<Grant> {
  const http = redditHttp(deps)
  const answer = await requestToken(http, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: `${host.publicUrl}${callbackPath}`,
  })
  const who = me.safeParse(await callRedditApi(http, answer.access_token, 'GET', '/api/v1/me'))
  if (!who.success) {
    throw new AppError('platform_rejected', 'Reddit did not say who authorized PolicyKit')
  }
  const credentials = answer.refresh_token
    ? credentialsFrom(answer, { username: who.data.name }, deps.ports.now())
    : {
        accessToken: answer.access_token,
        refreshToken: '-',
        expiresAt: 0,
        scope: answer.scope,
        username: who.data.name,
      }
  return { username: who.data.name, credentials, accessToken: answer.access_token }
}

/** The subreddits the granting moderator may connect: those where they hold the needed permissions. */
export async function connectableSubreddits(
  deps: RedditDeps,
  accessToken: string,
): Promise<{
  eligible: ModeratedSubreddit[]
  lacking: ModeratedSubreddit[]
}> {
  const http = redditHttp(deps)
  const all: ModeratedSubreddit[] = []
  let after: string | null = null
  for (let page = 0; page < 10; page++) {
    const parsed = moderated.safeParse(
      await callRedditApi(http, accessToken, 'GET', '/subreddits/mine/moderator', {
        limit: 100,
        ...(after ? { after } : {}),
      }),
    )
    if (!parsed.success) {
      throw new AppError(
        'platform_rejected',
        'subreddits/mine/moderator: Reddit’s answer is not a Listing of subreddits',
      )
    }
    all.push(
      ...parsed.data.data.children.map((c) => ({
        fullname: c.data.name,
        name: c.data.display_name,
        permissions: c.data.mod_permissions,
      })),
    )
    after = parsed.data.data.after
    if (after === null) {
      break
    }
  }
  return {
    eligible: all.filter((s) => holdsNeededPermissions(s.permissions)),
    lacking: all.filter((s) => !holdsNeededPermissions(s.permissions)),
  }
}

/**
 * The subreddit to connect among those `username` moderates: the one they picked (`wanted`), else
 * the only one they may connect; `pick` when they must choose among several; `forbidden` saying
 * why when none fits.
 */
export function chooseSubreddit(
  username: string,
  subreddits: { eligible: ModeratedSubreddit[]; lacking: ModeratedSubreddit[] },
  wanted: string | undefined,
): { subreddit: ModeratedSubreddit; pick?: undefined } | { pick: ModeratedSubreddit[] } {
  const { eligible, lacking } = subreddits
  const chosen =
    wanted === undefined
      ? eligible.length === 1
        ? eligible[0]
        : undefined
      : eligible.find((s) => s.name.toLowerCase() === wanted.toLowerCase())
  if (chosen !== undefined) {
    return { subreddit: chosen }
  }
  if (wanted === undefined && eligible.length > 1) {
    return { pick: eligible }
  }
  const missing = wanted === undefined ? '' : ` r/${wanted} is not one of them.`
  const partial =
    lacking.length > 0 ? ` (${lacking.map((s) => `r/${s.name}`).join(', ')}: not all of posts, access and mail)` : ''
  throw new AppError(
    'forbidden',
    `u/${username} moderates no subreddit with the permissions PolicyKit needs (posts, access and mail, or all)${partial}.${missing}`,
  )
}
