import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { AppError } from '../../errors.ts'
import type { LoginLimiter } from '../auth/login-limiter.ts'
import { burnPasswordCheck, verifyPassword } from '../auth/password.ts'
import { endSession, presentSession, startSession } from '../auth/session.ts'
import type { ServerDeps } from '../server-deps.ts'
import { noContent, sessionJson } from './account-schemas.ts'

/** Per address, on the routes that check a password or create an account. */
export const signInRateLimit = { max: 10, timeWindow: 60_000 }

/** Sign in, who is signed in, sign out. */
export async function authRoutes(app: FastifyInstance, deps: ServerDeps, limiter: LoginLimiter): Promise<void> {
  const routes = app.withTypeProvider<ZodTypeProvider>()
  const { store } = deps

  routes.post(
    '/session',
    {
      config: { signIn: true, rateLimit: signInRateLimit },
      schema: {
        summary: 'Sign in with a username and password; sets the session cookie',
        tags: ['auth'],
        // Only lengths here: a format error would hint at which usernames can exist.
        body: z.object({
          username: z.string().trim().toLowerCase().min(1).max(100),
          password: z.string().min(1).max(200),
        }),
        response: { 200: sessionJson },
      },
    },
    async (request, reply) => {
      const { username, password } = request.body
      limiter.check(username)
      const found = await store.users.findForSignIn(username)
      if (!found) {
        await burnPasswordCheck(password)
      }
      if (!found || !(await verifyPassword(password, found.passwordHash))) {
        limiter.failed(username)
        throw new AppError('unauthenticated', 'wrong username or password')
      }
      limiter.succeeded(username)
      return startSession(deps, request, reply, found.user)
    },
  )

  routes.get(
    '/session',
    {
      schema: {
        summary: 'Who is signed in, their communities, and the CSRF token for state-changing requests',
        tags: ['auth'],
        response: { 200: sessionJson },
      },
    },
    async (request) => {
      const { caller } = request
      const user = caller && (await store.users.get(caller.userId))
      if (!caller || !user) {
        throw new AppError('unauthenticated', 'not signed in')
      }
      return presentSession(deps, user, request.authSession?.csrfToken ?? '', caller.tokenCommunityId)
    },
  )

  routes.delete(
    '/session',
    {
      schema: {
        summary: 'Sign out: the session is deleted on the server and the cookie cleared',
        tags: ['auth'],
        response: { 204: noContent },
      },
    },
    async (request, reply) => {
      await endSession(deps, request, reply)
      return reply.status(204).send()
    },
  )
}
