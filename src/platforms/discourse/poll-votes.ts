import { z } from 'zod'
import type { Proposal } from '../../domain/proposal.ts'
import type { VoteValue } from '../../domain/vote.ts'
import { castHostedVote, withdrawHostedVote } from '../kit/vote-tally.ts'
import type { PlatformPorts } from '../platform-ports.ts'
import { callDiscourse } from './client.ts'
import { discoursePlatformName } from './context.ts'
import { discourseCredentials, type DiscourseCredentials } from './credentials.ts'
import { memberOfForumUser } from './forum-members.ts'

/**
 * Votes on a proposal are cast in a Discourse poll (the poll plugin), which sends no webhook for
 * a vote: PolicyKit reads the poll's voters (`/polls/voters.json`, public polls) and casts each
 * forum user's choice as their member's vote through the engine, which re-checks the proposal. A
 * member who changes their choice on the forum has their vote moved; one who takes it back has it
 * withdrawn.
 */

/** The poll PolicyKit posts is Discourse's default one. */
export const pollName = 'poll'

/** Discourse gives at most 50 voters a page. */
const votersPerPage = 50

const postPolls = z.object({
  polls: z
    .array(z.object({ name: z.string(), options: z.array(z.object({ id: z.string(), html: z.string() })) }))
    .optional(),
})
const voters = z.object({
  voters: z.record(
    z.string(),
    z.array(z.object({ id: z.number().int(), username: z.string(), name: z.string().nullable().optional() })),
  ),
})

type PostPoll = NonNullable<z.infer<typeof postPolls>['polls']>[number]

/** The labels PolicyKit gave the poll's options, in the proposal's terms. */
function voteOf(proposal: Proposal, label: string): VoteValue | null {
  const text = label.trim()
  if (proposal.voteOptions === null) {
    if (text === yesLabel || text === noLabel) {
      return { kind: 'boolean', value: text === yesLabel }
    }
    return null
  }
  return proposal.voteOptions.includes(text) ? { kind: 'choice', value: text } : null
}

export const yesLabel = 'Yes'
export const noLabel = 'No'

const sameVote = (a: VoteValue, b: VoteValue) => a.kind === b.kind && a.value === b.value

/** The connection of the community whose proposal it is, or null when it has none switched on. */
export async function forumOfCommunity(
  ports: PlatformPorts,
  communityId: number,
): Promise<DiscourseCredentials | null> {
  const [integration] = await ports.integrations.list(communityId, { activeOnly: true })
  if (!integration) {
    return null
  }
  const parsed = discourseCredentials.safeParse(await ports.integrations.credentials(integration))
  return parsed.success ? parsed.data : null
}

/** A forum user's choice in the poll. */
interface PollChoice {
  user: { id: number; username: string; name?: string | null | undefined }
  vote: VoteValue
}

/** The proposal's poll in its vote post, or undefined (logged) when the post has none. */
async function proposalPoll(
  ports: PlatformPorts,
  fetchFn: typeof fetch,
  forum: DiscourseCredentials,
  proposal: Proposal,
  postId: string,
): Promise<PostPoll | undefined> {
  const post = postPolls.safeParse(await callDiscourse(fetchFn, forum, 'GET', `/posts/${postId}.json`))
  const poll = post.success ? post.data.polls?.find((p) => p.name === pollName) : undefined
  if (!poll) {
    ports.logger.warn(
      { platform: discoursePlatformName, communityId: proposal.communityId, proposalId: proposal.id, postId },
      'discourse: the vote post has no poll',
    )
  }
  return poll
}

/** Every voter's choice in the poll, by forum user id (paged; the first option a voter is listed under counts). */
async function pollChoices(
  fetchFn: typeof fetch,
  forum: DiscourseCredentials,
  proposal: Proposal,
  postId: string,
  options: PostPoll['options'],
): Promise<Map<number, PollChoice>> {
  const chosen = new Map<number, PollChoice>()
  for (const option of options) {
    const vote = voteOf(proposal, option.html)
    if (vote === null) {
      continue
    }
    for (let page = 1; ; page++) {
      const query = new URLSearchParams({
        post_id: postId,
        poll_name: pollName,
        option_id: option.id,
        page: String(page),
        limit: String(votersPerPage),
      })
      const answer = voters.safeParse(await callDiscourse(fetchFn, forum, 'GET', `/polls/voters.json?${query}`))
      const users = answer.success ? (answer.data.voters[option.id] ?? []) : []
      for (const user of users) {
        if (!chosen.has(user.id) && user.username !== forum.apiUsername) {
          chosen.set(user.id, { user, vote })
        }
      }
      if (users.length < votersPerPage) {
        break
      }
    }
  }
  return chosen
}

/**
 * Reads the voters of the proposal's poll and brings the proposal's votes in line: a new or
 * changed choice is cast (moved), a choice taken back on the forum is withdrawn; the engine
 * re-checks the proposal each time. A 429 or an unreachable forum throws `platform_unavailable`
 * (with the forum's Retry-After) for the caller to wait out. Returns how many votes were cast,
 * moved or withdrawn.
 */
export async function syncPollVotes(
  ports: PlatformPorts,
  fetchFn: typeof fetch,
  forum: DiscourseCredentials,
  proposal: Proposal,
): Promise<number> {
  if (proposal.status !== 'proposed' || proposal.votePlatform !== discoursePlatformName || !proposal.votePostId) {
    return 0
  }
  const { communityId } = proposal
  const postId = proposal.votePostId
  // The votes as they stand before the poll is read: a vote another read casts meanwhile (the
  // poller and a webhook can read at once) is not in it, so this read cannot take it back.
  const cast = await ports.votes.list(communityId, proposal.id)
  const poll = await proposalPoll(ports, fetchFn, forum, proposal, postId)
  if (!poll) {
    return 0
  }
  const chosen = await pollChoices(fetchFn, forum, proposal, postId, poll.options)
  const inPoll = new Set<number>()
  let changed = 0
  for (const { user, vote } of chosen.values()) {
    const member = await memberOfForumUser(ports.members, communityId, user)
    if (!member) {
      continue
    }
    inPoll.add(member.id)
    const current = cast.find((v) => v.memberId === member.id)
    if (current && sameVote(current, vote)) {
      continue
    }
    const outcome = await castHostedVote(
      ports.votes,
      { communityId, proposalId: proposal.id, memberId: member.id, vote },
      async () => {},
    )
    if (outcome === 'closed') {
      return changed
    }
    changed += outcome === 'cast' ? 1 : 0
  }
  // The poll is where this proposal's votes are cast (the dashboard refuses them): a vote whose
  // member is no longer among the poll's voters was taken back there.
  for (const vote of cast.filter((v) => !inPoll.has(v.memberId))) {
    const input = { communityId, proposalId: proposal.id, memberId: vote.memberId, vote }
    changed += (await withdrawHostedVote(ports.votes, input, async () => {})) ? 1 : 0
  }
  return changed
}
