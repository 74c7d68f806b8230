import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { AppError } from '../../errors.ts'
import { hashPassword, verifyPassword } from '../auth/password.ts'
import { isUsername, passwordSchema } from '../auth/password-rules.ts'
import type { SignInLimits } from '../auth/sign-in-limits.ts'
import type { ServerDeps } from '../server-deps.ts'
import { noContent } from './account-schemas.ts'

/**
 * A signed-in user changes their password, giving the current one (a session left open on a
 * shared computer is not enough). Every other session of theirs ends: whoever knew the old
 * password is signed out everywhere but here.
 */
export async function passwordRoutes(app: FastifyInstance, deps: ServerDeps, limits: SignInLimits): Promise<void> {
  const routes = app.withTypeProvider<ZodTypeProvider>()
  const { store } = deps

  routes.put(
    '/session/password',
    {
      config: { noStore: true },
      schema: {
        summary: "Change the signed-in user's password (with the current one); their other sessions end",
        tags: ['auth'],
        body: z.object({ currentPassword: z.string().min(1).max(200), newPassword: passwordSchema }),
        response: { 204: noContent },
      },
    },
    async (request, reply) => {
      const { caller, authSession } = request
      if (!caller || !authSession) {
        throw new AppError(caller ? 'forbidden' : 'unauthenticated', 'sign in to the dashboard to change your password')
      }
      const { currentPassword, newPassword } = request.body
      if (isUsername(newPassword, caller.username)) {
        throw new AppError('invalid_input', 'newPassword: must not be your username')
      }
      // The current password is a password check like signing in: limited the same way.
      await limits.attempt({ address: request.ip, username: caller.username })
      const found = await store.users.findForSignIn(caller.username)
      if (!found || !(await verifyPassword(currentPassword, found.passwordHash))) {
        throw new AppError('invalid_input', 'currentPassword: that is not your current password')
      }
      await limits.succeeded(caller.username)
      const passwordHash = await hashPassword(newPassword)
      await store.transaction(async (tx) => {
        await tx.users.setPasswordHash(found.user.id, passwordHash)
        await tx.sessions.removeOthers(found.user.id, authSession.id)
      })
      return reply.status(204).send()
    },
  )
}
