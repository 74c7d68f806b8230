import { randomBytes } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { AppError, toError } from '../../errors.ts'
import type { PlatformHost, PlatformSetUp } from '../platform-http.ts'
import { roundTripCookie } from './oauth.ts'
import { readState, signState } from './signed-state.ts'
import { constantTimeEqual } from './verify-request.ts'

/**
 * Founding the first community from a platform (Set up with Slack, Discord, Reddit, Discourse):
 * on first run, someone who runs a workspace, guild, subreddit or forum founds the first
 * community from it with the set-up token and a starter kit (`GET <links.setup.path>?setup=…&kit=…`).
 * Nobody is signed in yet, so the round trip through the platform is bound to the browser that
 * started it by a short-lived signed cookie holding the token (never sent to the platform), the
 * kit and a nonce; the nonce comes back from the platform (in an OAuth `state` marked as a
 * set-up's, or as the platform returns it) and must match. Once the platform has said who the
 * founder is and that they run the place, the community is founded with the kit, the founder
 * its admin, the integration switched on; the platform's people are imported and the founder is
 * signed in.
 */

const lifetimeMs = 10 * 60_000

/** Starts the OAuth state of a set-up (a community's install state is a bare signed value). */
const statePrefix = 'setup.'

/** Kept in the browser: the set-up token, the kit, the nonce, and what the platform needs back (`x`). */
const pendingSetup = z.object({ t: z.string(), k: z.string(), n: z.string(), x: z.record(z.string(), z.string()) })

/** Sent to the platform and back: the nonce, signed. */
const setupState = z.object({ n: z.string() })

export interface PendingSetup {
  token: string
  kit: string
  nonce: string
  /** What the platform put in the cookie at the start (e.g. a sealed key). */
  extra: Record<string, string>
}

export interface FirstCommunitySetup {
  /** Refuses a wrong or used set-up token (`forbidden`) and an unknown kit (`invalid_input`); the kit. */
  check(start: { token: string; kit: string | undefined }): Promise<string>
  /**
   * Step one: refuses a wrong or used set-up token and an unknown kit before anyone goes to the
   * platform; sets the cookie (with `extra`, or what `extra` makes of the nonce) and gives the
   * nonce and the OAuth `state` to send.
   */
  start(
    reply: FastifyReply,
    start: { token: string; kit: string | undefined },
    extra?: Record<string, string> | ((nonce: string) => Record<string, string>),
  ): Promise<{ nonce: string; state: string }>
  /** Whether an OAuth callback's `state` is a set-up's. */
  isSetupState(state: string | undefined): boolean
  /** The nonce a set-up's OAuth `state` carries, if it is genuine and not expired. */
  nonceOfState(state: string | undefined): string | null
  /** This browser's set-up cookie, if it is genuine and not expired (the set-up is not checked). */
  pending(request: FastifyRequest): PendingSetup | null
  /**
   * Step two, back from the platform: clears the cookie and checks that `nonce` (what the
   * platform brought back) is the cookie's and that the token still works; the set-up.
   */
  resume(request: FastifyRequest, reply: FastifyReply, nonce: string | null): Promise<PendingSetup>
  /**
   * Founds the community (`setUpCommunity`), imports the platform's people with `importMembers`
   * (a failure is logged: reconnecting from the settings imports them again), signs the founder
   * in and logs it. Returns the community.
   */
  found(
    request: FastifyRequest,
    reply: FastifyReply,
    input: Omit<PlatformSetUp, 'token' | 'kit'> & { pending: PendingSetup; place: string },
    importMembers: (communityId: number) => Promise<number>,
  ): Promise<{ communityId: number }>
  /**
   * Where an error page of a set-up leads back to: the set-up page while its token still works,
   * else PolicyKit's start page. Null for a request that is not part of a set-up (neither the
   * start path with `?setup=` nor a set-up's callback).
   */
  backLink(request: FastifyRequest): Promise<{ href: string; label: string } | null>
}

export function firstCommunitySetup(
  host: PlatformHost,
  setup: {
    platform: string
    /** Shown to people, e.g. `Slack`. */
    title: string
    /** Where the cookie is sent: a prefix of the path the platform comes back to. */
    cookiePath: string
    /** The route that starts a set-up (`?setup=<token>&kit=<kit>`): the platform's `links.setup.path`. */
    startPath: string
    /**
     * Where the platform comes back to. `shared`: a community's install comes back there too, and
     * a set-up's callback is told by its OAuth state; else every request there is a set-up's.
     */
    callback: { path: string; shared: boolean }
  },
): FirstCommunitySetup {
  const { platform, title } = setup
  const cookie = `pk_${platform}_setup`
  const stateKey = host.deriveKey(`${platform} setup state`)
  const cookieKey = host.deriveKey(`${platform} setup cookie`)
  const cookieOptions = roundTripCookie(host.publicUrl, setup.cookiePath)

  const notValid = () =>
    new AppError(
      'forbidden',
      `This set-up link is not valid: its token is wrong, or PolicyKit is already set up. Later communities connect ${title} from their settings.`,
    )

  const pending = (request: FastifyRequest): PendingSetup | null => {
    const value = request.cookies[cookie]
    const read = value === undefined ? null : readState(cookieKey, value, pendingSetup, host.now())
    return read && { token: read.t, kit: read.k, nonce: read.n, extra: read.x }
  }

  const isSetupState = (state: string | undefined) => state?.startsWith(statePrefix) === true

  const check = async (start: { token: string; kit: string | undefined }): Promise<string> => {
    if (!(await host.setupNeeded(start.token))) {
      throw notValid()
    }
    const kits = host.starterKits()
    if (start.kit === undefined || !kits.includes(start.kit)) {
      throw new AppError(
        'invalid_input',
        `Choose one of the starter kits (${kits.join(', ')}) on the set-up page${start.kit === undefined ? '' : `: there is no kit '${start.kit}'`}.`,
      )
    }
    return start.kit
  }

  return {
    check,

    async start(reply, start, extra = {}) {
      const kit = await check(start)
      const nonce = randomBytes(16).toString('base64url')
      const expiresAt = host.now() + lifetimeMs
      const x = typeof extra === 'function' ? extra(nonce) : extra
      reply.setCookie(cookie, signState(cookieKey, { t: start.token, k: kit, n: nonce, x }, expiresAt), {
        ...cookieOptions,
        maxAge: lifetimeMs / 1000,
      })
      return { nonce, state: `${statePrefix}${signState(stateKey, { n: nonce }, expiresAt)}` }
    },

    isSetupState,

    nonceOfState(state) {
      if (state === undefined || !isSetupState(state)) {
        return null
      }
      return readState(stateKey, state.slice(statePrefix.length), setupState, host.now())?.n ?? null
    },

    pending,

    async resume(request, reply, nonce) {
      const started = pending(request)
      reply.clearCookie(cookie, cookieOptions)
      if (!started || nonce === null || !constantTimeEqual(started.nonce, nonce)) {
        throw new AppError(
          'forbidden',
          `This ${title} set-up was not started in this browser, or took longer than 10 minutes. Open the set-up link again.`,
        )
      }
      if (!(await host.setupNeeded(started.token))) {
        throw notValid()
      }
      return started
    },

    async found(request, reply, input, importMembers) {
      const { pending: started, place, ...community } = input
      // Founding a community from the platform is the connection itself, and there is no
      // constitution yet to govern `constitution.addIntegration`: the integration is stored
      // switched on. (Later communities connect from their settings, and their policies decide.)
      const founded = await host.setUpCommunity({ ...community, token: started.token, kit: started.kit })
      const { communityId } = founded
      let members: number | null = null
      try {
        members = await importMembers(communityId)
      } catch (e) {
        // The community exists and its founder can sign in only through the platform: sign them
        // in anyway. Reconnecting from the settings imports the members again.
        host.logger.error(
          { communityId, place, err: toError(e) },
          `${title} members could not be imported at set-up; reconnect ${title} from the settings to import them`,
        )
      }
      await host.startSession(request, reply, founded.user)
      host.logger.info(
        { communityId, place, kit: started.kit, members, memberId: founded.memberId },
        `PolicyKit set up from ${title}: ${input.communityName}`,
      )
      return { communityId }
    },

    async backLink(request) {
      const path = request.url.split('?')[0] ?? ''
      const query = z
        .object({ setup: z.string().max(200).optional(), state: z.string().max(2000).optional() })
        .safeParse(request.query)
      let token: string | undefined
      if (path === setup.startPath && query.data?.setup !== undefined) {
        token = query.data.setup
      } else if (path === setup.callback.path && (!setup.callback.shared || isSetupState(query.data?.state))) {
        token = pending(request)?.token
      } else {
        return null
      }
      return token !== undefined && (await host.setupNeeded(token))
        ? { href: `/setup?${new URLSearchParams({ token })}`, label: 'Back to set-up' }
        : { href: '/', label: 'Back to PolicyKit' }
    },
  }
}
