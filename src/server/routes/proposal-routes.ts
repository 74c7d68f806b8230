import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Proposal } from '../../domain/proposal.ts'
import type { VoteValue } from '../../domain/vote.ts'
import { AppError } from '../../errors.ts'
import { requireMember } from '../community-access.ts'
import { dashboardVotePlatform, proposalDetail, proposalSummaries, type ActionPresenter } from '../proposal-views.ts'
import type { ServerDeps } from '../server-deps.ts'
import {
  communityParams,
  idParam,
  proposalDetailJson,
  proposalPageJson,
  proposalStatuses,
} from './community-schemas.ts'

const proposalParams = communityParams.extend({ proposalId: idParam })

/** The vote's value as the proposal's question takes it: yes/no, or one of its options. */
function voteValue(proposal: Proposal, value: boolean | string): VoteValue {
  const options = proposal.voteOptions
  if (options === null) {
    if (typeof value !== 'boolean') {
      throw new AppError('invalid_input', 'this is a yes/no vote: value must be true or false')
    }
    return { kind: 'boolean', value }
  }
  if (typeof value !== 'string' || !options.includes(value)) {
    throw new AppError(
      'invalid_input',
      `value must be one of the options: ${options.map((o) => JSON.stringify(o)).join(', ')}`,
    )
  }
  return { kind: 'choice', value }
}

/** `/proposals…`: the list, one proposal's page, and votes cast in the dashboard. */
export async function proposalRoutes(app: FastifyInstance, deps: ServerDeps, present: ActionPresenter): Promise<void> {
  const routes = app.withTypeProvider<ZodTypeProvider>()
  const { store, engine } = deps

  async function existingProposal(communityId: number, proposalId: number): Promise<Proposal> {
    const proposal = await store.proposals.get(communityId, proposalId)
    if (!proposal) {
      throw new AppError('not_found', `proposal ${proposalId} not found`)
    }
    return proposal
  }

  routes.get(
    '/communities/:communityId/proposals',
    {
      schema: {
        summary: 'Proposals, newest first, a page at a time',
        tags: ['proposals'],
        params: communityParams,
        querystring: z.object({
          status: z.enum(proposalStatuses).optional(),
          limit: z.coerce.number().int().min(1).max(100).default(50),
          before: idParam.optional().describe('the nextBefore of the previous page'),
        }),
        response: { 200: proposalPageJson },
      },
    },
    async (request) => {
      const { community } = await requireMember(deps, request, request.params.communityId)
      const { status, limit, before } = request.query
      // One more than asked tells whether another page follows.
      const proposals = await store.proposals.list(community.id, {
        limit: limit + 1,
        ...(status !== undefined && { status }),
        ...(before !== undefined && { beforeId: before }),
      })
      const page = proposals.slice(0, limit)
      const last = page.at(-1)
      return {
        items: await proposalSummaries(store, present, community.id, page),
        nextBefore: proposals.length > limit && last ? last.id : null,
      }
    },
  )

  routes.get(
    '/communities/:communityId/proposals/:proposalId',
    {
      schema: {
        summary: 'A proposal with its action, votes, timeline and (with view_logs) evaluation log',
        tags: ['proposals'],
        params: proposalParams,
        response: { 200: proposalDetailJson },
      },
    },
    async (request) => {
      const access = await requireMember(deps, request, request.params.communityId)
      return proposalDetail(
        store,
        present,
        access,
        await existingProposal(access.community.id, request.params.proposalId),
      )
    },
  )

  routes.put(
    '/communities/:communityId/proposals/:proposalId/vote',
    {
      schema: {
        summary: 'Cast or change your vote on a vote hosted in the dashboard',
        description:
          'true/false for a yes/no vote, or one of the options. 409 once the proposal is decided; 403 when the vote is not hosted here or you may not vote on it. Returns the proposal after its re-check.',
        tags: ['proposals'],
        params: proposalParams,
        body: z.object({ value: z.union([z.boolean(), z.string()]) }),
        response: { 200: proposalDetailJson },
      },
    },
    async (request) => {
      const access = await requireMember(deps, request, request.params.communityId)
      const communityId = access.community.id
      const proposal = await existingProposal(communityId, request.params.proposalId)
      if (proposal.status !== 'proposed') {
        throw new AppError('conflict', `voting on proposal ${proposal.id} is closed (${proposal.status})`)
      }
      if (proposal.votePostId === null) {
        throw new AppError('forbidden', `no vote is open on proposal ${proposal.id}`)
      }
      if (proposal.votePlatform !== dashboardVotePlatform) {
        throw new AppError(
          'forbidden',
          `the vote on proposal ${proposal.id} is held on ${proposal.votePlatform ?? '?'}`,
        )
      }
      // Whether this member may vote is the engine's rule (forbidden when not).
      await engine.castVote(communityId, proposal.id, access.member.id, voteValue(proposal, request.body.value))
      return proposalDetail(store, present, access, await existingProposal(communityId, proposal.id))
    },
  )
}
