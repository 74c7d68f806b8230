import { randomBytes } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { AppError } from '../../errors.ts'
import type { PlatformHost } from '../platform-http.ts'
import { roundTripCookie } from './oauth.ts'
import { readState, signState } from './signed-state.ts'
import { constantTimeEqual } from './verify-request.ts'

/** How long a sign-in may take between PolicyKit's redirect and the provider's callback. */
const lifetimeMs = 10 * 60_000

const pending = z.object({ st: z.string(), n: z.string() })

/**
 * The OAuth round trip of a "Sign in with <platform>", bound to the browser that started it: a
 * fresh state and nonce in a short-lived signed cookie sent only to `cookiePath`. Nothing in the
 * callback's query string is trusted but the state, checked against that cookie.
 */
export function signInRoundTrip(host: PlatformHost, signIn: { platform: string; title: string; cookiePath: string }) {
  const cookie = `pk_${signIn.platform}_signin`
  const key = host.deriveKey(`${signIn.platform} sign-in`)
  const cookieOptions = roundTripCookie(host.publicUrl, signIn.cookiePath)

  /** Step one: sets the cookie; the state (and nonce, for OpenID Connect) to send to the provider. */
  function start(reply: FastifyReply): { state: string; nonce: string } {
    const state = randomBytes(16).toString('base64url')
    const nonce = randomBytes(16).toString('base64url')
    reply.setCookie(cookie, signState(key, { st: state, n: nonce }, host.now() + lifetimeMs), {
      ...cookieOptions,
      maxAge: lifetimeMs / 1000,
    })
    return { state, nonce }
  }

  /**
   * Step two, back from the provider: clears the cookie and refuses (`forbidden`) a state that is
   * not this browser's or came back too late; the nonce sent with it.
   */
  function finish(request: FastifyRequest, reply: FastifyReply, state: string | undefined): { nonce: string } {
    const value = request.cookies[cookie]
    reply.clearCookie(cookie, cookieOptions)
    const started = value === undefined ? null : readState(key, value, pending, host.now())
    if (!started || state === undefined || !constantTimeEqual(state, started.st)) {
      throw new AppError(
        'forbidden',
        `This ${signIn.title} sign-in was not started in this browser, or took longer than 10 minutes. Try again.`,
      )
    }
    return { nonce: started.n }
  }

  return { start, finish }
}
