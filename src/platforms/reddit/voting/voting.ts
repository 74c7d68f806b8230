import { z } from 'zod'
import type { Proposal } from '../../../domain/proposal.ts'
import { voteOptionsArg } from '../../kit/policy-args.ts'
import { policyUser } from '../../kit/policy-people.ts'
import { proposalTally } from '../../kit/vote-tally.ts'
import type { PlatformContext, PolicyFunction, VoteHosting } from '../../platform.ts'
import type { RedditDeps } from '../deps.ts'
import type { RedditOperations } from '../operations.ts'
import { parseArgs, redditPeople } from '../policy-args.ts'
import { voteCommentText } from './vote-replies.ts'
import { voteHeading } from '../../kit/vote-heading.ts'

const initiateVoteArgs = z.strictObject({
  text: z.string().max(10_000).optional(),
  options: voteOptionsArg({ length: 200, count: 20 }),
  /** Who may vote (members: ids, usernames or member objects); absent: every member. */
  users: z.array(policyUser).optional(),
})

/**
 * `reddit.initiateVote({ text?, options?, users? })`: a vote where the governed item is. On a
 * member's post, a stickied moderator comment on it; on a member's comment, a reply to it; for an
 * action proposed in PolicyKit, a self-post in the subreddit. Members vote by replying (`+1` /
 * `-1`, or an option's number); the poller reads the replies. Sets `proposal.votePostId` (the
 * vote's fullname) and `proposal.voteUrl`; returns the fullname.
 */
export function initiateVote(deps: RedditDeps, ops: RedditOperations): PolicyFunction {
  return async (ctx, arg) => {
    const args = parseArgs('initiateVote', initiateVoteArgs, arg)
    const options = args.options ?? null
    const text = args.text?.trim() || voteHeading(ctx.proposal, ctx.action.type)
    const body = voteCommentText({ text, options, tally: null, status: 'proposed' })
    const governed = ctx.action.params['fullname']
    let postId: string
    let url: string | null = null
    if (typeof governed === 'string' && /^t[13]_/.test(governed)) {
      const made = await ops.comment(ctx, governed, body)
      postId = made.name
      // Comments carry no permalink of their own: it is made from the post and the comment.
      url = `https://www.reddit.com/r/${made.subreddit}/comments/${made.link_id.slice(3)}/_/${made.id}/`
      if (governed.startsWith('t3_')) {
        await ops.api(ctx).post('/api/distinguish', { id: made.name, how: 'yes', sticky: true })
      }
    } else {
      const made = await ops.submit(ctx, { title: text.slice(0, 300), text: body })
      postId = made.fullname
      url = made.url
    }
    if (args.users !== undefined) {
      const people = await redditPeople.resolvePeople(deps.ports.members, ctx.communityId, args.users)
      await ctx.setVoters(people.map((p) => p.member.id))
    }
    await ctx.setVotePost({ postId, url, text, options })
    await noteOpenVote(deps, ctx.communityId, postId)
    await deps.ports.communityLog(ctx.communityId, [
      {
        proposalId: ctx.proposal.id,
        actionId: ctx.action.id,
        level: 'info',
        message: `vote opened on Reddit: ${text}`,
        details: { fullname: postId, url, options },
      },
    ])
    return postId
  }
}

/** The votes of a community still open on Reddit (their fullnames), kept as a cursor: the poller keeps its pace while there are any. */
export const openVotesKey = 'open-votes'

export function parseOpenVotes(value: string | null): string[] {
  try {
    const parsed: unknown = JSON.parse(value ?? '[]')
    return Array.isArray(parsed) ? parsed.filter((v): v is string => typeof v === 'string') : []
  } catch {
    return []
  }
}

async function noteOpenVote(deps: RedditDeps, communityId: number, postId: string): Promise<void> {
  const open = parseOpenVotes(await deps.ports.cursors.get(communityId, openVotesKey))
  await deps.ports.cursors.set(communityId, openVotesKey, JSON.stringify([...open, postId].slice(-500)))
}

/** Rewrites the vote's text with the tally (and the outcome once decided). */
export async function refreshVote(
  deps: RedditDeps,
  ops: RedditOperations,
  ctx: PlatformContext,
  proposal: Proposal,
): Promise<void> {
  if (proposal.votePlatform !== 'reddit' || proposal.votePostId === null) {
    return
  }
  const tally = await proposalTally(deps.ports.votes, ctx.communityId, proposal)
  const text = voteCommentText({
    text: proposal.voteText ?? 'Vote',
    options: proposal.voteOptions,
    tally,
    status: proposal.status,
  })
  await ops.edit(ctx, proposal.votePostId, text)
}

/**
 * Reddit hosts votes as a comment (or self-post) members reply to: a vote that did not decide
 * the proposal shows the new tally; once decided, the outcome.
 */
export function redditVoting(deps: RedditDeps, ops: RedditOperations): VoteHosting {
  return {
    open: 'initiateVote',
    refresh: (ctx, proposal) => refreshVote(deps, ops, ctx, proposal),
    async close(ctx, proposal) {
      if (proposal.status !== 'proposed') {
        await refreshVote(deps, ops, ctx, proposal)
      }
    },
  }
}
