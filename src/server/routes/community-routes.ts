import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { logLevels } from '../../domain/community.ts'
import { AppError } from '../../errors.ts'
import { removeMember } from '../../platforms/constitution/remove-member.ts'
import { effectiveRoles, loadRoleGraph } from '../../platforms/constitution/role-graph.ts'
import { requireMember, requirePermission } from '../community-access.ts'
import { presentDocument, presentIntegration, presentLog, presentRole } from '../present.ts'
import type { OverviewJson } from '../presenters.ts'
import { actionPresenter, pendingSummaries, proposalSummaries } from '../proposal-views.ts'
import type { ServerDeps } from '../server-deps.ts'
import { displayNameSchema } from './account-schemas.ts'
import { actionRoutes } from './action-routes.ts'
import {
  communityJson,
  communityParams,
  documentJson,
  idParam,
  integrationJson,
  logJson,
  memberJson,
  overviewJson,
  roleJson,
} from './community-schemas.ts'
import { policyRoutes } from './policy-routes.ts'
import { proposalRoutes } from './proposal-routes.ts'

const dayMs = 86_400_000
/** Days the overview's chart covers, today included. */
const chartDays = 30
/** Pending proposals and recent decisions the overview lists. */
const overviewItems = 20

/** `YYYY-MM-DD` of each UTC day from `chartDays - 1` days before `now` to `now`'s day. */
function chartDaysUntil(now: number): { start: number; days: string[] } {
  const today = Math.floor(now / dayMs)
  const first = today - (chartDays - 1)
  const days = Array.from({ length: chartDays }, (_, i) => new Date((first + i) * dayMs).toISOString().slice(0, 10))
  return { start: first * dayMs, days }
}

/** Everything under `/api/communities/:communityId/…` that reads or proposes community data. */
export async function communityRoutes(app: FastifyInstance, deps: ServerDeps): Promise<void> {
  const routes = app.withTypeProvider<ZodTypeProvider>()
  const present = actionPresenter(deps)
  const { store, logger } = deps

  routes.get(
    '/communities/:communityId',
    {
      schema: {
        summary: "The community and the caller's roles and permissions in it",
        tags: ['community'],
        params: communityParams,
        response: { 200: communityJson },
      },
    },
    async (request) => {
      const { community, member, roles, permissions } = await requireMember(deps, request, request.params.communityId)
      return {
        id: community.id,
        name: community.name,
        settings: community.settings,
        createdAt: community.createdAt,
        me: {
          memberId: member.id,
          username: member.username,
          displayName: member.displayName,
          roles: roles.map((r) => r.name),
          permissions,
        },
      }
    },
  )

  routes.get(
    '/communities/:communityId/overview',
    {
      schema: {
        summary: 'Pending proposals, recent decisions and decisions per day over 30 days',
        tags: ['community'],
        params: communityParams,
        response: { 200: overviewJson },
      },
    },
    async (request): Promise<OverviewJson> => {
      const access = await requireMember(deps, request, request.params.communityId)
      const { community } = access
      const { start, days } = chartDaysUntil(deps.clock.now())
      const [pending, decided, counts] = await Promise.all([
        store.proposals.list(community.id, { status: 'proposed', limit: overviewItems }),
        store.proposals.recentlyDecided(community.id, overviewItems),
        store.proposals.decisionCountsByDay(community.id, start),
      ])
      const byDay = new Map(counts.map((c) => [c.day, c]))
      return {
        ...(await pendingSummaries(store, present, access, pending)),
        recentDecisions: await proposalSummaries(store, present, community.id, decided),
        decisionsByDay: days.map((day) => ({
          day,
          passed: byDay.get(day)?.passed ?? 0,
          failed: byDay.get(day)?.failed ?? 0,
        })),
      }
    },
  )

  routes.put(
    '/communities/:communityId/members/me/display-name',
    {
      schema: {
        summary: 'Change the name this community shows for you',
        tags: ['community'],
        params: communityParams,
        body: z.object({ displayName: displayNameSchema }),
        response: { 200: z.object({ memberId: z.number().int(), username: z.string(), displayName: z.string() }) },
      },
    },
    async (request) => {
      const { community, member } = await requireMember(deps, request, request.params.communityId)
      const changed = await store.members.setDisplayName(community.id, member.id, request.body.displayName)
      if (!changed) {
        throw new AppError('not_found', `member ${member.id} not found`)
      }
      logger.info({ communityId: community.id, memberId: member.id }, 'display name changed')
      return { memberId: changed.id, username: changed.username, displayName: changed.displayName }
    },
  )

  routes.delete(
    '/communities/:communityId/members/me',
    {
      schema: {
        summary:
          'Leave the community: your roles, sign-in there and API tokens for it go; the votes you cast stay. ' +
          'Refused (409) when you are the last member who could amend the constitution',
        tags: ['community'],
        params: communityParams,
        response: { 200: z.object({ memberId: z.number().int(), left: z.literal(true) }) },
      },
    },
    async (request) => {
      const { community, member } = await requireMember(deps, request, request.params.communityId)
      const now = deps.clock.now()
      await removeMember(store, community.id, member.id, { now, describe: () => 'your leaving' })
      await store.logs.add(community.id, [{ level: 'info', message: `${member.username} left the community`, now }])
      logger.info({ communityId: community.id, memberId: member.id }, 'member left the community')
      return { memberId: member.id, left: true as const }
    },
  )

  routes.get(
    '/communities/:communityId/members',
    {
      schema: {
        summary: 'Members with their effective roles and the platforms they have accounts on',
        tags: ['community'],
        params: communityParams,
        response: { 200: z.array(memberJson) },
      },
    },
    async (request) => {
      const { community } = await requireMember(deps, request, request.params.communityId)
      const graph = await loadRoleGraph(store, community.id)
      const accounts = await store.members.accountsOf(
        community.id,
        graph.members.map((m) => m.id),
      )
      return graph.members.map((member) => ({
        id: member.id,
        username: member.username,
        displayName: member.displayName,
        roles: effectiveRoles(graph, member.id).map((r) => r.name),
        platforms: [...new Set((accounts.get(member.id) ?? []).map((a) => a.platform))],
        createdAt: member.createdAt,
      }))
    },
  )

  routes.get(
    '/communities/:communityId/roles',
    {
      schema: {
        summary: 'Roles and their permissions',
        tags: ['community'],
        params: communityParams,
        response: { 200: z.array(roleJson) },
      },
    },
    async (request) => {
      const { community } = await requireMember(deps, request, request.params.communityId)
      return (await store.roles.list(community.id)).map(presentRole)
    },
  )

  routes.get(
    '/communities/:communityId/documents',
    {
      schema: {
        summary: 'Documents (the active ones, or all with ?all=true)',
        tags: ['community'],
        params: communityParams,
        querystring: z.object({ all: z.stringbool().default(false) }),
        response: { 200: z.array(documentJson) },
      },
    },
    async (request) => {
      const { community } = await requireMember(deps, request, request.params.communityId)
      const documents = await store.documents.list(community.id, { activeOnly: !request.query.all })
      return documents.map(presentDocument)
    },
  )

  routes.get(
    '/communities/:communityId/documents/:documentId',
    {
      schema: {
        summary: 'A document, active or not',
        tags: ['community'],
        params: communityParams.extend({ documentId: idParam }),
        response: { 200: documentJson },
      },
    },
    async (request) => {
      const { community } = await requireMember(deps, request, request.params.communityId)
      const document = await store.documents.get(community.id, request.params.documentId)
      if (!document) {
        throw new AppError('not_found', `document ${request.params.documentId} not found`)
      }
      return presentDocument(document)
    },
  )

  routes.get(
    '/communities/:communityId/logs',
    {
      schema: {
        summary: "The community's log (policy evaluations, votes, platform notices), newest first (needs view_logs)",
        tags: ['community'],
        params: communityParams,
        querystring: z.object({
          proposalId: idParam.optional(),
          proposalNumber: idParam.optional().describe("only lines about the community's proposal of this number"),
          actionId: idParam.optional().describe('only lines about this action (also one no policy governed)'),
          level: z.enum(logLevels).optional().describe('only lines this severe or more'),
          platform: z.string().min(1).max(100).optional().describe('only lines about this platform'),
          limit: z.coerce.number().int().min(1).max(100).default(50),
          before: idParam.optional().describe('the id of the last entry of the previous page'),
        }),
        response: { 200: z.array(logJson) },
      },
    },
    async (request) => {
      const { community } = await requirePermission(deps, request, request.params.communityId, 'view_logs')
      const { proposalId, proposalNumber, actionId, level, platform, limit, before } = request.query
      const logs = await store.logs.list(community.id, {
        limit,
        ...(proposalId !== undefined && { proposalId }),
        ...(proposalNumber !== undefined && { proposalNumber }),
        ...(actionId !== undefined && { actionId }),
        ...(level !== undefined && { level }),
        ...(platform !== undefined && { platform }),
        ...(before !== undefined && { beforeId: before }),
      })
      return logs.map(presentLog)
    },
  )

  routes.get(
    '/communities/:communityId/integrations',
    {
      schema: {
        summary: 'Connected platforms (needs manage_integrations); credentials are never shown',
        tags: ['community'],
        params: communityParams,
        response: { 200: z.array(integrationJson) },
      },
    },
    async (request) => {
      const { community } = await requirePermission(deps, request, request.params.communityId, 'manage_integrations')
      return (await store.integrations.list(community.id)).map(presentIntegration)
    },
  )

  await actionRoutes(app, deps)
  await policyRoutes(app, deps)
  await proposalRoutes(app, deps, present)
}
