import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { localPlatform } from '../../domain/user.ts'
import { AppError, isAppError } from '../../errors.ts'
import { createCommunityWithKit } from '../../kits/apply-kit.ts'
import { parseKit, type Kit, type KitRole } from '../../kits/kit.ts'
import { getKit, listKits } from '../../kits/list-kits.ts'
import { hashPassword, passwordSchema } from '../auth/password.ts'
import { safeEqual } from '../auth/secret-token.ts'
import { startSession } from '../auth/session.ts'
import type { ServerDeps } from '../server-deps.ts'
import { displayNameSchema, sessionJson, setupStatusJson, usernameSchema } from './account-schemas.ts'
import { signInRateLimit } from './auth-routes.ts'

/** Given to whoever sets PolicyKit up, on top of what the kit gives its creator. */
export const adminRole: KitRole = {
  name: 'Admin',
  description: 'Set up the community: invites members, manages integrations, reads logs.',
  permissions: ['manage_members', 'manage_integrations', 'view_logs'],
  isDefault: false,
  grantTo: 'creator',
}

/** The kit with the Admin role added (parsed again, so a kit that already has one is refused). */
function withAdminRole(kit: Kit): Kit {
  return parseKit({ ...kit, roles: [...kit.roles, adminRole] })
}

/**
 * First run: while no community exists, the one-time token `npm start` prints lets one person
 * create the first community (from a starter kit) and their own account, and signs them in.
 */
export async function setupRoutes(app: FastifyInstance, deps: ServerDeps): Promise<void> {
  const routes = app.withTypeProvider<ZodTypeProvider>()
  const { store, clock } = deps
  // Two set-up requests at once (a double click) must not make two communities.
  let running = false

  routes.get(
    '/setup',
    {
      schema: {
        summary: 'Whether PolicyKit still needs setting up, and the starter kits to choose from',
        tags: ['setup'],
        response: { 200: setupStatusJson },
      },
    },
    async () => {
      const communities = await store.communities.listAll()
      return {
        needed: communities.length === 0,
        kits: listKits().map((k) => ({ name: k.name, title: k.title, description: k.description })),
      }
    },
  )

  routes.post(
    '/setup',
    {
      config: { signIn: true, rateLimit: signInRateLimit },
      schema: {
        summary: 'Create the first community and its first admin with the set-up token; signs them in',
        tags: ['setup'],
        body: z.object({
          token: z.string().max(200),
          communityName: z.string().trim().min(1).max(100),
          kit: z.string().max(100),
          username: usernameSchema,
          displayName: displayNameSchema.optional(),
          password: passwordSchema,
        }),
        response: { 200: sessionJson },
      },
    },
    async (request, reply) => {
      const { body } = request
      if (deps.setupToken === null || !safeEqual(body.token, deps.setupToken)) {
        throw new AppError('forbidden', 'wrong set-up token, or PolicyKit is already set up')
      }
      if (running) {
        throw new AppError('conflict', 'set-up is already under way')
      }
      running = true
      try {
        let kit: Kit
        try {
          kit = withAdminRole(getKit(body.kit))
        } catch (e) {
          throw isAppError(e, 'not_found') ? new AppError('invalid_input', e.message, { cause: e }) : e
        }
        const passwordHash = await hashPassword(body.password)
        const now = clock.now()
        const user = await store.transaction(async (tx) => {
          if ((await tx.communities.listAll()).length > 0) {
            throw new AppError('forbidden', 'wrong set-up token, or PolicyKit is already set up')
          }
          const displayName = body.displayName ?? body.username
          const { community, creator } = await createCommunityWithKit(tx, {
            name: body.communityName,
            kit,
            creator: { username: body.username, displayName },
            now,
          })
          const created = await tx.users.create({ username: body.username, displayName, passwordHash, now })
          await tx.members.linkAccount(community.id, creator.id, {
            platform: localPlatform,
            externalId: String(created.id),
            username: created.username,
          })
          return created
        })
        return await startSession(deps, request, reply, user)
      } finally {
        running = false
      }
    },
  )
}
