import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { actionKinds } from '../../domain/action.ts'
import type { Policy } from '../../domain/policy.ts'
import { toPolicyDocument } from '../../domain/policy-document.ts'
import { AppError } from '../../errors.ts'
import { findSyntaxErrors } from '../../platforms/constitution/policy-checks.ts'
import { proposePolicyImport } from '../../policy-import.ts'
import { policyDocument } from '../api-schemas.ts'
import { requireMember } from '../community-access.ts'
import { presentPolicy, presentPolicySummary, presentPolicyVersion } from '../present.ts'
import { policyScope } from '../policy-scope.ts'
import type { ServerDeps } from '../server-deps.ts'
import { proposeResult } from './action-routes.ts'
import {
  communityParams,
  governingJson,
  idParam,
  policyCheckJson,
  policyJson,
  policyScopeJson,
  policySummaryJson,
  policyVersionJson,
  proposeResultJson,
} from './community-schemas.ts'

const policyParams = communityParams.extend({ policyId: idParam })

const maxBlockLength = 100_000
const block = z.string().max(maxBlockLength).optional()

/** `/policies…`: reading policies and their history, checking code, importing a document. */
export async function policyRoutes(app: FastifyInstance, deps: ServerDeps): Promise<void> {
  const routes = app.withTypeProvider<ZodTypeProvider>()
  const { store } = deps
  const scope = policyScope(deps.platforms)

  async function existingPolicy(communityId: number, policyId: number): Promise<Policy> {
    const policy = await store.policies.get(communityId, policyId)
    if (!policy) {
      throw new AppError('not_found', `policy ${policyId} not found`)
    }
    return policy
  }

  routes.get(
    '/communities/:communityId/policies',
    {
      schema: {
        summary: 'Policies, active and inactive',
        tags: ['policies'],
        params: communityParams,
        querystring: z.object({ kind: z.enum(actionKinds).optional() }),
        response: { 200: z.array(policySummaryJson) },
      },
    },
    async (request) => {
      const { community } = await requireMember(deps, request, request.params.communityId)
      const { kind } = request.query
      const policies = await store.policies.list(community.id, kind === undefined ? {} : { kind })
      return policies.map(presentPolicySummary)
    },
  )

  routes.get(
    '/communities/:communityId/policies/governing',
    {
      schema: {
        summary: 'The policies that could govern an action type, in the order they are tried',
        tags: ['policies'],
        params: communityParams,
        querystring: z.object({ kind: z.enum(actionKinds), type: z.string().min(1) }),
        response: { 200: governingJson },
      },
    },
    async (request) => {
      const { community } = await requireMember(deps, request, request.params.communityId)
      const { kind, type } = request.query
      const candidates = await store.policies.candidates(community.id, kind, type)
      return { kind, type, candidates: candidates.map(presentPolicySummary) }
    },
  )

  routes.get(
    '/communities/:communityId/policy-api',
    {
      schema: {
        summary:
          'The names in scope in a policy block (with the platforms this server runs) and each action type’s fields',
        description:
          'What the editor completes; docs/reference.md in the repository is made from the same declarations.',
        tags: ['policies'],
        params: communityParams,
        response: { 200: policyScopeJson },
      },
    },
    async (request) => {
      await requireMember(deps, request, request.params.communityId)
      return scope
    },
  )

  routes.post(
    '/communities/:communityId/policies/check',
    {
      schema: {
        summary: 'Compile policy code and report syntax errors; nothing runs',
        tags: ['policies'],
        params: communityParams,
        body: z.object({
          blocks: z.object({
            filter: block,
            initialize: block,
            check: block,
            notify: block,
            pass: block,
            fail: block,
          }),
        }),
        response: { 200: policyCheckJson },
      },
    },
    async (request) => {
      await requireMember(deps, request, request.params.communityId)
      const errors = await findSyntaxErrors(deps.sandbox, request.body.blocks)
      return { ok: errors.length === 0, errors }
    },
  )

  routes.post(
    '/communities/:communityId/policies/import',
    {
      schema: {
        summary: 'Propose adding a policy from a policy document (constitution.addPolicy)',
        description:
          'The document is checked (format, variables, block syntax) and constitution.addPolicy is proposed as the caller; the constitution policies decide. `activate` defaults to false, as in `policykit policy import`.',
        tags: ['policies'],
        params: communityParams,
        body: z.object({ document: policyDocument, activate: z.boolean().default(false) }),
        response: { 200: proposeResultJson },
      },
    },
    async (request) => {
      const { community, member } = await requireMember(deps, request, request.params.communityId)
      const outcome = await proposePolicyImport(deps, {
        communityId: community.id,
        initiatorId: member.id,
        document: request.body.document,
        activate: request.body.activate,
      })
      return proposeResult(deps, outcome)
    },
  )

  routes.get(
    '/communities/:communityId/policies/:policyId',
    {
      schema: {
        summary: 'A policy with its variables and code',
        tags: ['policies'],
        params: policyParams,
        response: { 200: policyJson },
      },
    },
    async (request) => {
      const { community } = await requireMember(deps, request, request.params.communityId)
      return presentPolicy(await existingPolicy(community.id, request.params.policyId))
    },
  )

  routes.get(
    '/communities/:communityId/policies/:policyId/versions',
    {
      schema: {
        summary: "A policy's versions, newest first",
        tags: ['policies'],
        params: policyParams,
        response: { 200: z.array(policyVersionJson) },
      },
    },
    async (request) => {
      const { community } = await requireMember(deps, request, request.params.communityId)
      const policy = await existingPolicy(community.id, request.params.policyId)
      const versions = await store.policies.versions(community.id, policy.id)
      return versions.map(presentPolicyVersion).sort((a, b) => b.version - a.version)
    },
  )

  routes.get(
    '/communities/:communityId/policies/:policyId/export',
    {
      schema: {
        summary: 'A policy as a portable policy document (policykit.policy/1)',
        tags: ['policies'],
        params: policyParams,
        response: { 200: policyDocument },
      },
    },
    async (request) => {
      const { community } = await requireMember(deps, request, request.params.communityId)
      return toPolicyDocument(await existingPolicy(community.id, request.params.policyId))
    },
  )
}
