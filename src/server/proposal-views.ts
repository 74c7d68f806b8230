import type { Action } from '../domain/action.ts'
import type { EvaluationLog } from '../domain/community.ts'
import type { Member } from '../domain/member.ts'
import type { PolicyVersion } from '../domain/policy.ts'
import type { Proposal } from '../domain/proposal.ts'
import type { Vote, VoteValue } from '../domain/vote.ts'
import { mayVote } from '../engine/may-vote.ts'
import { effectiveRoles, loadRoleGraph } from '../platforms/constitution/role-graph.ts'
import type { Store } from '../store/store.ts'
import { PlatformAccess } from '../engine/platform-access.ts'
import type { ActionPresentation, PresentWant } from '../platforms/platform.ts'
import type { ServerDeps } from './server-deps.ts'
import type { CommunityAccess } from './community-access.ts'
import { presentAction, presentLog, tallyVotes } from './present.ts'
import type { ProposalDetailJson, ProposalSummaryJson, TimelineEntryJson } from './presenters.ts'

/** The platform whose votes the dashboard hosts (`constitution.initiateVote`). */
export const dashboardVotePlatform = 'constitution'

/** How many of a proposal's log lines its page shows. */
const proposalLogLimit = 200

/** An action as people see it (title, subject, diff): its type's `present`, or its description. */
export type ActionPresenter = (communityId: number, action: Action, want: PresentWant) => Promise<ActionPresentation>

/** The server's presenter, over the platforms it runs. */
export function actionPresenter(deps: Pick<ServerDeps, 'store' | 'platforms' | 'logger' | 'clock'>): ActionPresenter {
  const access = new PlatformAccess({
    store: deps.store,
    platforms: deps.platforms,
    fetch,
    logger: deps.logger,
    now: () => deps.clock.now(),
  })
  return (communityId, action, want) => access.present(communityId, action, want)
}

/** What a proposal's summary is made of. */
interface SummaryParts {
  proposal: Proposal
  action: Action
  initiator: Member | undefined
  version: PolicyVersion
  votes: Vote[]
  presentation: ActionPresentation
}

/** The policy a proposal evaluates the action under, at the version it was made with. */
function policyOf(proposal: Proposal, version: PolicyVersion): ProposalSummaryJson['policy'] {
  return { id: proposal.policyId, name: version.name, version: version.version }
}

/** The policy versions these proposals were made with, each read once, by version id. */
async function versionsOf(
  store: Store,
  communityId: number,
  proposals: readonly Proposal[],
): Promise<Map<number, PolicyVersion>> {
  const versionIds = [...new Set(proposals.map((p) => p.policyVersionId))]
  const versions = await Promise.all(versionIds.map((id) => store.policies.getVersion(communityId, id)))
  return new Map(versions.flatMap((v) => (v ? [[v.versionId, v] as const] : [])))
}

function summaryOf(parts: SummaryParts): ProposalSummaryJson {
  const { proposal } = parts
  return {
    id: proposal.id,
    number: proposal.number,
    status: proposal.status,
    title: parts.presentation.title,
    action: presentAction(parts.action, parts.initiator),
    policy: policyOf(proposal, parts.version),
    proposedAt: proposal.proposedAt,
    decidedAt: proposal.decidedAt,
    tally: tallyVotes(parts.votes),
  }
}

/**
 * Loads what the summaries need, each action, initiator and policy version once; the actions'
 * diffs only when they are shown (`want`: the proposal's own page, not a list). `votes`: each
 * proposal's votes when the caller reads them anyway.
 */
async function loadParts(
  store: Store,
  present: ActionPresenter,
  communityId: number,
  proposals: readonly Proposal[],
  options: { want?: PresentWant; votes?: Promise<Vote[][]> } = {},
): Promise<SummaryParts[]> {
  const want = options.want ?? { diff: false }
  const [actions, versionById, votesOf] = await Promise.all([
    Promise.all(proposals.map((p) => store.actions.get(communityId, p.actionId))),
    versionsOf(store, communityId, proposals),
    options.votes ?? Promise.all(proposals.map((p) => store.votes.list(communityId, p.id))),
  ])
  const initiatorIds = [...new Set(actions.flatMap((a) => (a && a.initiatorId !== null ? [a.initiatorId] : [])))]
  const initiators = new Map((await store.members.getMany(communityId, initiatorIds)).map((m) => [m.id, m]))
  return Promise.all(
    proposals.map(async (proposal, i) => {
      const action = actions[i]
      const version = versionById.get(proposal.policyVersionId)
      if (!action || !version) {
        // The store's foreign keys forbid this: a proposal always has its action and version.
        throw new Error(`proposal ${proposal.id} lost its action or policy version`)
      }
      return {
        proposal,
        action,
        initiator: action.initiatorId === null ? undefined : initiators.get(action.initiatorId),
        version,
        votes: votesOf[i] ?? [],
        presentation: await present(communityId, action, want),
      }
    }),
  )
}

export async function proposalSummaries(
  store: Store,
  present: ActionPresenter,
  communityId: number,
  proposals: readonly Proposal[],
): Promise<ProposalSummaryJson[]> {
  const parts = await loadParts(store, present, communityId, proposals)
  return parts.map(summaryOf)
}

/**
 * The overview's pending proposals, and those of them waiting for the member's vote: a vote is
 * open (wherever it is hosted), the member may cast it (the engine's rule) and has not yet.
 */
export async function pendingSummaries(
  store: Store,
  present: ActionPresenter,
  access: CommunityAccess,
  proposals: readonly Proposal[],
): Promise<{ pending: ProposalSummaryJson[]; waitingForYou: ProposalSummaryJson[] }> {
  const parts = await loadParts(store, present, access.community.id, proposals)
  const waiting = parts.filter(
    ({ proposal, votes, version }) =>
      proposal.status === 'proposed' &&
      proposal.votePostId !== null &&
      !votes.some((v) => v.memberId === access.member.id) &&
      mayVote(proposal, access.member.id, access.permissions, version.name),
  )
  return { pending: parts.map(summaryOf), waitingForYou: waiting.map(summaryOf) }
}

/** Whether the dashboard takes the member's vote on it now (who may vote: the engine's rule). */
export function canVoteHere(access: CommunityAccess, proposal: Proposal, policyName: string): boolean {
  return (
    proposal.status === 'proposed' &&
    proposal.votePostId !== null &&
    proposal.votePlatform === dashboardVotePlatform &&
    mayVote(proposal, access.member.id, access.permissions, policyName)
  )
}

function describeVote(vote: VoteValue): string {
  switch (vote.kind) {
    case 'boolean':
      return vote.value ? 'yes' : 'no'
    case 'choice':
      return JSON.stringify(vote.value)
    case 'number':
      return String(vote.value)
  }
}

function timeline(
  proposal: Proposal,
  action: Action,
  initiator: Member | undefined,
  votes: readonly (Vote & { displayName: string })[],
  logs: readonly EvaluationLog[],
): TimelineEntryJson[] {
  const entries: TimelineEntryJson[] = [
    { at: action.createdAt, what: 'proposed', text: `${initiator?.displayName ?? 'Someone'} proposed ${action.type}` },
  ]
  if (proposal.votePostId !== null) {
    const where = proposal.votePlatform === dashboardVotePlatform ? 'here' : `on ${proposal.votePlatform ?? '?'}`
    // The vote is opened by notify, on the first evaluation, which the log line dates exactly.
    const opened = logs.find((l) => l.message.startsWith('vote opened'))
    entries.push({
      at: opened?.createdAt ?? proposal.proposedAt,
      what: 'vote_opened',
      text: proposal.voteText ? `vote opened ${where}: ${proposal.voteText}` : `vote opened ${where}`,
    })
  }
  for (const vote of votes) {
    entries.push({ at: vote.castAt, what: 'voted', text: `${vote.displayName} voted ${describeVote(vote)}` })
  }
  const decidedAt = proposal.decidedAt ?? proposal.proposedAt
  if (proposal.decidedAt !== null) {
    const text =
      proposal.status === 'errored' ? 'errored: the policy raised an error; the next policy was tried' : proposal.status
    entries.push({ at: proposal.decidedAt, what: 'decided', text })
  }
  switch (action.executionState) {
    case 'executed':
      entries.push({ at: decidedAt, what: 'executed', text: `${action.type} was carried out` })
      break
    case 'reverted':
      entries.push({
        at: proposal.proposedAt,
        what: 'reverted',
        text: `${action.type} was undone on ${action.platform} until it is decided`,
      })
      break
    case 'failed': {
      const failure = logs.find((l) => l.actionId === action.id && l.message.startsWith('could not execute'))
      entries.push({
        at: failure?.createdAt ?? decidedAt,
        what: 'failed',
        text: failure?.message ?? 'execution failed',
      })
      break
    }
    case 'none':
    case 'executing':
    case 'reverting':
      break
  }
  // Stable: entries at the same moment keep the order they happen in.
  return entries.sort((a, b) => a.at - b.at)
}

/** The proposal's own log lines and its action's (those not tied to another proposal), oldest first. */
async function proposalLogs(store: Store, proposal: Proposal): Promise<EvaluationLog[]> {
  const { communityId } = proposal
  const [own, ofAction] = await Promise.all([
    store.logs.list(communityId, { proposalId: proposal.id, limit: proposalLogLimit }),
    store.logs.list(communityId, { actionId: proposal.actionId, limit: proposalLogLimit }),
  ])
  const byId = new Map(own.map((l) => [l.id, l]))
  for (const log of ofAction) {
    if (log.proposalId === null) {
      byId.set(log.id, log)
    }
  }
  return [...byId.values()].sort((a, b) => a.id - b.id)
}

/**
 * Who may vote on an open vote and has not yet (the engine's rule of who may vote), by name;
 * null when no vote is open.
 */
async function membersStillToVote(
  store: Store,
  proposal: Proposal,
  policyName: string,
  votes: readonly Vote[],
): Promise<ProposalDetailJson['stillToVote']> {
  if (proposal.status !== 'proposed' || proposal.votePostId === null) {
    return null
  }
  const voted = new Set(votes.map((v) => v.memberId))
  const graph = await loadRoleGraph(store, proposal.communityId)
  return graph.members
    .filter((m) => !voted.has(m.id))
    .filter((m) => {
      const permissions = effectiveRoles(graph, m.id).flatMap((r) => r.permissions)
      return mayVote(proposal, m.id, permissions, policyName)
    })
    .map((m) => ({ memberId: m.id, username: m.username, displayName: m.displayName }))
}

/**
 * The other proposals of the same action: an errored one and the one that replaced it (the
 * next eligible policy's), in the order they were made.
 */
async function relatedProposals(store: Store, proposal: Proposal): Promise<ProposalDetailJson['related']> {
  const all = await store.proposals.list(proposal.communityId, { actionId: proposal.actionId })
  const others = all.filter((p) => p.id !== proposal.id).sort((a, b) => a.id - b.id)
  const versions = await versionsOf(store, proposal.communityId, others)
  return others.map((other) => {
    const version = versions.get(other.policyVersionId)
    if (!version) {
      // The store's foreign keys forbid this: a proposal always has its policy version.
      throw new Error(`proposal ${other.id} lost its policy version`)
    }
    return { id: other.id, number: other.number, status: other.status, policy: policyOf(other, version) }
  })
}

/** Everything the proposal's page shows; the logs only to members holding `view_logs`. */
export async function proposalDetail(
  store: Store,
  present: ActionPresenter,
  access: CommunityAccess,
  proposal: Proposal,
): Promise<ProposalDetailJson> {
  const { communityId } = proposal
  // The votes with their voters' names, read once for the tally and for the list of votes.
  const withVoters = store.votes.listWithVoters(communityId, proposal.id)
  const [[parts], votes, logs] = await Promise.all([
    loadParts(store, present, communityId, [proposal], { want: { diff: true }, votes: withVoters.then((v) => [v]) }),
    withVoters,
    proposalLogs(store, proposal),
  ])
  if (!parts) {
    throw new Error('unreachable: one part per proposal')
  }
  const mine = votes.find((v) => v.memberId === access.member.id)
  const [stillToVote, related] = await Promise.all([
    membersStillToVote(store, proposal, parts.version.name, votes),
    relatedProposals(store, proposal),
  ])
  return {
    ...summaryOf(parts),
    subject: parts.presentation.subject ?? null,
    diff: parts.presentation.diff ?? null,
    stillToVote,
    related,
    vote:
      proposal.votePostId === null
        ? null
        : {
            platform: proposal.votePlatform ?? '',
            url: proposal.voteUrl,
            text: proposal.voteText ?? '',
            options: proposal.voteOptions,
            canVote: canVoteHere(access, proposal, parts.version.name),
            myVote: mine ? mine.value : null,
          },
    votes: votes.map((v) => ({
      memberId: v.memberId,
      username: v.username,
      displayName: v.displayName,
      value: v.value,
      castAt: v.castAt,
    })),
    data: proposal.data,
    logs: access.can('view_logs') ? logs.map(presentLog) : [],
    timeline: timeline(proposal, parts.action, parts.initiator, votes, logs),
  }
}
