import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { rowIdParam } from '../../domain/int4.ts'
import type { ApiToken } from '../../domain/user.ts'
import { AppError } from '../../errors.ts'
import { hashToken, randomToken } from '../../secret-token.ts'
import type { Caller } from '../caller.ts'
import { requireMember } from '../community-access.ts'
import type { ApiTokenJson } from '../presenters.ts'
import type { ServerDeps } from '../server-deps.ts'
import { apiTokenJson, communityParams, noContent } from './account-schemas.ts'
import { nameSchema } from '../../domain/names.ts'

/** Recognisable in logs and by secret scanners. */
const tokenPrefix = 'pk_'

function presentToken(token: ApiToken, secret?: string): ApiTokenJson {
  return {
    id: token.id,
    name: token.name,
    ...(secret !== undefined && { token: secret }),
    createdAt: token.createdAt,
    lastUsedAt: token.lastUsedAt,
  }
}

/**
 * API tokens: a signed-in member makes tokens that act as them in one community. Managed with a
 * session only, so a leaked token cannot mint more tokens or outlive its revocation.
 */
export async function tokenRoutes(app: FastifyInstance, deps: ServerDeps): Promise<void> {
  const routes = app.withTypeProvider<ZodTypeProvider>()
  const { store, clock } = deps

  /** A member of the community, signed in with a session (not a token). */
  async function requireSessionMember(request: FastifyRequest, communityId: number): Promise<Caller> {
    await requireMember(deps, request, communityId)
    const { caller } = request
    if (!caller) {
      throw new AppError('unauthenticated', 'sign in first')
    }
    if (caller.via !== 'session') {
      throw new AppError('forbidden', 'API tokens are managed when signed in, not with a token')
    }
    return caller
  }

  routes.get(
    '/communities/:communityId/tokens',
    {
      schema: {
        summary: "The caller's API tokens in the community (signed in only)",
        tags: ['tokens'],
        params: communityParams,
        response: { 200: z.array(apiTokenJson) },
      },
    },
    async (request) => {
      const { communityId } = request.params
      const caller = await requireSessionMember(request, communityId)
      const tokens = await store.apiTokens.list(communityId, caller.userId)
      return tokens.map((t) => presentToken(t))
    },
  )

  routes.post(
    '/communities/:communityId/tokens',
    {
      config: { noStore: true },
      schema: {
        summary: 'Make an API token acting as the caller in this community; its secret is shown once',
        tags: ['tokens'],
        params: communityParams,
        body: z.object({ name: nameSchema(100) }),
        response: { 201: apiTokenJson },
      },
    },
    async (request, reply) => {
      const { communityId } = request.params
      const caller = await requireSessionMember(request, communityId)
      const secret = `${tokenPrefix}${randomToken()}`
      const token = await store.apiTokens.create(communityId, {
        userId: caller.userId,
        name: request.body.name,
        tokenHash: hashToken(secret),
        now: clock.now(),
      })
      return reply.status(201).send(presentToken(token, secret))
    },
  )

  routes.delete(
    '/communities/:communityId/tokens/:tokenId',
    {
      schema: {
        summary: 'Revoke one of your API tokens',
        tags: ['tokens'],
        params: communityParams.extend({ tokenId: rowIdParam }),
        response: { 204: noContent },
      },
    },
    async (request, reply) => {
      const { communityId, tokenId } = request.params
      const caller = await requireSessionMember(request, communityId)
      if (!(await store.apiTokens.remove(communityId, caller.userId, tokenId))) {
        throw new AppError('not_found', `API token ${tokenId} not found`)
      }
      return reply.status(204).send()
    },
  )
}
