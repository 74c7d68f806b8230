import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { listKits } from '../../kits/list-kits.ts'
import { passwordSchema, refusePasswordAsUsername } from '../auth/password-rules.ts'
import { startSession } from '../auth/session.ts'
import type { SignInLimits } from '../auth/sign-in-limits.ts'
import type { FirstRun } from '../first-run.ts'
import type { ServerDeps } from '../server-deps.ts'
import { displayNameSchema, sessionJson, setupStatusJson, usernameSchema } from './account-schemas.ts'
import { platformLinks } from './platform-link-routes.ts'
import { nameSchema } from '../../domain/names.ts'

/**
 * First run: while no community exists, the one-time token `npm start` prints lets one person
 * create the first community (from a starter kit) and their own account, and signs them in.
 * Configured platforms may found it instead (`platforms` in the status: Set up with Slack).
 */
export async function setupRoutes(
  app: FastifyInstance,
  deps: ServerDeps,
  firstRun: FirstRun,
  limits: SignInLimits,
): Promise<void> {
  const routes = app.withTypeProvider<ZodTypeProvider>()
  const { store } = deps
  const platforms = platformLinks(deps).flatMap(({ platform, title, setup }) =>
    setup ? [{ platform, title, setupPath: setup.path, place: setup.place, who: setup.who, how: setup.how }] : [],
  )

  routes.get(
    '/setup',
    {
      schema: {
        summary: 'Whether PolicyKit still needs setting up, the starter kits, and the platforms it can be set up from',
        tags: ['setup'],
        response: { 200: setupStatusJson },
      },
    },
    async () => {
      const communities = await store.communities.listAll()
      return {
        needed: communities.length === 0,
        kits: listKits().map((k) => ({ name: k.name, title: k.title, description: k.description })),
        platforms,
      }
    },
  )

  routes.post(
    '/setup',
    {
      config: { signIn: true, noStore: true },
      schema: {
        summary: 'Create the first community and its first admin with the set-up token; signs them in',
        tags: ['setup'],
        body: z
          .object({
            token: z.string().max(200),
            communityName: nameSchema(100),
            kit: z.string().max(100),
            username: usernameSchema,
            displayName: displayNameSchema.optional(),
            password: passwordSchema,
          })
          .superRefine(refusePasswordAsUsername),
        response: { 200: sessionJson },
      },
    },
    async (request, reply) => {
      const { body } = request
      await limits.attempt({ address: request.ip })
      const { user } = await firstRun.setUp({
        token: body.token,
        communityName: body.communityName,
        kit: body.kit,
        creator: { username: body.username, displayName: body.displayName ?? body.username },
        user: { password: body.password },
      })
      return startSession(deps, request, reply, user)
    },
  )
}
