import { z } from 'zod'
import type { Member } from '../../domain/member.ts'
import { AppError } from '../../errors.ts'
import { policyArgs } from '../kit/policy-args.ts'
import type { PolicyFunction } from '../platform.ts'
import type { ConstitutionDeps } from './constitution-deps.ts'
import { effectiveRoles, loadRoleGraph, memberHolds, type RoleGraph } from './role-graph.ts'

/** Usernames or member ids. */
const users = z.array(z.union([z.string(), z.number().int()]))

/** Every filter given applies: `{ role: 'Board', permission: 'vote' }` is board members who may vote. */
const memberFilter = {
  users: users.optional(),
  /** Members with this role (the default role: also every member without a role). */
  role: z.string().optional(),
  /** Members holding this permission through their roles, e.g. `vote`. */
  permission: z.string().optional(),
}

const initiateVoteArgs = z.strictObject({
  text: z.string().default(''),
  options: z.array(z.string()).optional(),
  ...memberFilter,
})

const getMembersArgs = z.strictObject({ role: memberFilter.role, permission: memberFilter.permission })

const { parseArgs } = policyArgs('constitution')

function select(
  graph: RoleGraph,
  filter: { users?: (string | number)[]; role?: string; permission?: string },
): Member[] {
  let members = graph.members
  if (filter.users !== undefined) {
    const wanted = new Set<number>()
    for (const user of filter.users) {
      const member = graph.members.find((m) => (typeof user === 'number' ? m.id === user : m.username === user))
      if (!member) {
        throw new AppError(
          'invalid_input',
          `no member ${typeof user === 'number' ? `with id ${user}` : `named ${user}`}`,
        )
      }
      wanted.add(member.id)
    }
    members = members.filter((m) => wanted.has(m.id))
  }
  const roleName = filter.role
  if (roleName !== undefined) {
    const role = [...graph.roles.values()].find((r) => r.name === roleName)
    if (!role) {
      throw new AppError('invalid_input', `no role named ${roleName}`)
    }
    members = members.filter((m) => effectiveRoles(graph, m.id).some((r) => r.id === role.id))
  }
  const permission = filter.permission
  if (permission !== undefined) {
    members = members.filter((m) => memberHolds(graph, m.id, permission))
  }
  return members
}

/**
 * What every policy may call as `constitution.<fn>(…)`. Votes are hosted by PolicyKit itself
 * (the dashboard shows them at the proposal's page), so any policy can hold one, also for
 * communities with no platform that can host votes.
 */
export function constitutionFunctions({ store }: ConstitutionDeps): Record<string, PolicyFunction> {
  return {
    /**
     * `constitution.initiateVote({ text, options?, users?, role?, permission? })`: opens the vote
     * on the proposal's page; with a filter, only the members it selects may vote (e.g.
     * `{ permission: 'vote' }`). Returns the vote's post id.
     */
    async initiateVote(ctx, arg) {
      const args = parseArgs('initiateVote', initiateVoteArgs, arg)
      const restricted = args.users !== undefined || args.role !== undefined || args.permission !== undefined
      const voters = restricted ? select(await loadRoleGraph(store, ctx.communityId), args).map((m) => m.id) : null
      // The dashboard's page of the proposal, where members vote.
      const post = {
        postId: `proposal:${ctx.proposal.id}`,
        url: `/c/${ctx.communityId}/proposals/${ctx.proposal.id}`,
        text: args.text,
        options: args.options ?? null,
      }
      await ctx.setVoters(voters)
      await ctx.setVotePost(post)
      await store.logs.add(ctx.communityId, [
        {
          proposalId: ctx.proposal.id,
          actionId: ctx.action.id,
          level: 'info',
          message: `vote opened: ${args.text}`,
          details: { text: args.text, options: args.options ?? null, voters },
          now: ctx.now(),
        },
      ])
      return post.postId
    },

    /** `constitution.getMembers({ role?, permission? })`: `[{ id, username, displayName, roles }]`. */
    async getMembers(ctx, arg) {
      const args = parseArgs('getMembers', getMembersArgs, arg)
      const graph = await loadRoleGraph(store, ctx.communityId)
      return select(graph, args).map((m) => ({
        id: m.id,
        username: m.username,
        displayName: m.displayName,
        roles: effectiveRoles(graph, m.id).map((r) => r.name),
      }))
    },
  }
}
