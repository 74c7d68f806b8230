import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { AppError } from '../../errors.ts'
import { burnPasswordCheck, verifyPassword } from '../auth/password.ts'
import type { SignInLimits } from '../auth/sign-in-limits.ts'
import { endSession, presentSession, startSession } from '../auth/session.ts'
import type { ServerDeps } from '../server-deps.ts'
import { noContent, sessionJson } from './account-schemas.ts'

/** Sign in, who is signed in, sign out. */
export async function authRoutes(app: FastifyInstance, deps: ServerDeps, limits: SignInLimits): Promise<void> {
  const routes = app.withTypeProvider<ZodTypeProvider>()
  const { store } = deps

  routes.post(
    '/session',
    {
      config: { signIn: true, noStore: true },
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
      // Counted before the password is checked, so concurrent guesses cannot slip past the limit.
      await limits.attempt({ address: request.ip, username })
      const found = await store.users.findForSignIn(username)
      if (!found) {
        await burnPasswordCheck(password)
      }
      if (!found || !(await verifyPassword(password, found.passwordHash))) {
        throw new AppError('unauthenticated', 'wrong username or password')
      }
      await limits.succeeded(username)
      return startSession(deps, request, reply, found.user)
    },
  )

  routes.get(
    '/session',
    {
      config: { noStore: true },
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
