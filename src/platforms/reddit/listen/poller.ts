import { setTimeout as sleep } from 'node:timers/promises'
import type { Integration } from '../../../domain/community.ts'
import type { Proposal } from '../../../domain/proposal.ts'
import type { JsonObject } from '../../../domain/json.ts'
import { isAppError, toError } from '../../../errors.ts'
import { handleOnce } from '../../kit/delivery-ledger.ts'
import { ensureMember } from '../../kit/ensure-member.ts'
import { castHostedVote, withdrawHostedVote } from '../../kit/vote-tally.ts'
import type { ListenerDef, PlatformContext } from '../../platform.ts'
import { redditApi, type RedditApi } from '../api.ts'
import type { RedditDeps } from '../deps.ts'
import { echoKey } from '../echoes.ts'
import type { RedditOperations } from '../operations.ts'
import { isDeleted, parseModActions, parseThings, type ModActionData, type Thing } from '../things.ts'
import { waitForBudget } from '../rate-budget.ts'
import { parseTracked, voteFromReply, type TrackedReplies } from '../voting/vote-replies.ts'
import { openVotesKey, parseOpenVotes, refreshVote } from '../voting/voting.ts'
import { parseCursor, readSince, type ListingCursor } from './read-since.ts'

/**
 * Reddit sends no webhooks, so PolicyKit polls: one poller (a `once` listener: one process at a
 * time) reads every connected subreddit's new posts, new comments, mod queue and mod log. Each
 * listing resumes from a stored cursor; each item is handled once (the delivery ledger, by
 * fullname), so a restart neither re-governs nor misses anything. Members' posts and comments
 * become governed actions and every item reaches trigger policies; replies to a vote are votes.
 * The interval starts at REDDIT_POLL_INTERVAL_MS, stretches while nothing happens, and waits out
 * Reddit's rate limit when the budget runs low.
 */

/** An idle poller slows down to this many times the interval. */
const idleFactor = 6

export interface PollOutcome {
  /** API requests the poll made. */
  requests: number
  /** Items that were new. */
  activity: number
  /** Votes still open (replies may come any time: the poller keeps its pace). */
  openVotes: number
}

/** The Reddit account of a member: its name, lower-cased, is its id (Reddit names are permanent). */
export const accountId = (name: string) => name.toLowerCase()

/** One poll of one subreddit. */
export async function pollSubreddit(
  deps: RedditDeps,
  ops: RedditOperations,
  integration: Integration,
  deferred: Set<string>,
): Promise<PollOutcome> {
  const { ports } = deps
  const { communityId } = integration
  const credentials = await ports.integrations.credentials(integration)
  const api = redditApi(deps, integration, credentials)
  const ctx: PlatformContext = {
    communityId,
    integration,
    credentials,
    fetch: deps.fetch,
    now: () => ports.now(),
    logger: {
      debug: (m, d) => ports.logger.debug({ communityId, ...d }, m),
      info: (m, d) => ports.logger.info({ communityId, ...d }, m),
      warn: (m, d) => ports.logger.warn({ communityId, ...d }, m),
      error: (m, d) => ports.logger.error({ communityId, ...d }, m),
    },
  }
  const outcome: PollOutcome = { requests: 0, activity: 0, openVotes: 0 }
  const own = (author: string) => author.toLowerCase() === api.username.toLowerCase()
  const sr = api.subreddit

  /** Handles `item` once; false when it is PolicyKit's own not yet known (looked at again next poll). */
  const handleThing = async (item: Thing): Promise<boolean> => {
    const fullname = item.data.name
    if (isDeleted(item)) {
      return true
    }
    if (own(item.data.author)) {
      if (await ports.echoes.take(communityId, echoKey.item(fullname))) {
        await handleOnce(ports.deliveries, communityId, echoKey.item(fullname), async () => {})
        return true
      }
      // Reddit may answer PolicyKit's submit after the poller already sees the post: one more
      // poll for its echo to be recorded, then it is the moderator's own doing.
      if (!deferred.has(fullname)) {
        deferred.add(fullname)
        return false
      }
      deferred.delete(fullname)
    }
    await handleOnce(ports.deliveries, communityId, echoKey.item(fullname), async () => {
      outcome.activity += 1
      await govern(item)
    })
    return true
  }

  const govern = async (item: Thing) => {
    const member = await ensureMember(ports.members, communityId, {
      externalId: accountId(item.data.author),
      name: item.data.author,
    })
    if (item.kind === 't1') {
      const proposal = await ports.votes.proposalOfPost(communityId, item.data.parent_id)
      if (proposal) {
        await voteReply(proposal.id, proposal.voteOptions, member.id, item.data.name, item.data.body)
        return
      }
    }
    /** What a member did: the action to govern, and the event for trigger policies. */
    const seen: { type: string; params: JsonObject; trigger: { type: string; data: JsonObject } } =
      item.kind === 't1'
        ? {
            type: 'reddit.postComment',
            params: {
              parent: item.data.parent_id,
              text: item.data.body,
              fullname: item.data.name,
              author: item.data.author,
            },
            trigger: { type: 'reddit.comment', data: commentTrigger(item.data) },
          }
        : {
            type: 'reddit.submitPost',
            params: {
              title: item.data.title.slice(0, 300),
              text: item.data.selftext,
              fullname: item.data.name,
              author: item.data.author,
              ...(item.data.url ? { url: item.data.url } : {}),
              ...(item.data.link_flair_text ? { flair: item.data.link_flair_text.slice(0, 64) } : {}),
            },
            trigger: { type: 'reddit.submission', data: postTrigger(item.data) },
          }
    await ports.propose({
      communityId,
      type: seen.type,
      params: seen.params,
      initiatorId: member.id,
      origin: 'platform',
      externalId: item.data.name,
      result: { fullname: item.data.name },
    })
    await ports.trigger({ communityId, ...seen.trigger, initiatorId: member.id })
  }

  let tracked: TrackedReplies | null = null
  const trackedReplies = async () => (tracked ??= parseTracked(await ports.cursors.get(communityId, 'vote-replies')))
  const saveTracked = async () => {
    if (tracked !== null) {
      await ports.cursors.set(communityId, 'vote-replies', JSON.stringify(tracked))
    }
  }
  const refresh = async (proposal: Proposal) => {
    // The vote comment shows the tally; the votes are PolicyKit's, so a failure here changes nothing.
    try {
      await refreshVote(deps, ops, ctx, proposal)
    } catch (e) {
      ports.logger.warn({ communityId, err: toError(e) }, 'reddit: could not show the new tally')
    }
  }

  const voteReply = async (
    proposalId: number,
    options: string[] | null,
    memberId: number,
    reply: string,
    body: string,
  ) => {
    const replies = await trackedReplies()
    const vote = voteFromReply(body, options)
    // The member's latest reply replaces their earlier one.
    for (const [fullname, entry] of Object.entries(replies)) {
      if (entry.proposalId === proposalId && entry.memberId === memberId) {
        delete replies[fullname]
      }
    }
    if (vote === null) {
      await saveTracked()
      return
    }
    replies[reply] = { proposalId, memberId, body }
    await saveTracked()
    await castHostedVote(ports.votes, { communityId, proposalId, memberId, vote }, refresh)
  }

  const readListing = async <T>(
    key: string,
    path: string,
    parse: (answer: unknown) => T[],
    keyOf: (item: T) => ListingCursor,
    handle: (item: T) => Promise<boolean>,
  ) => {
    // Before its first poll, a listing is read from when the subreddit was connected: what was
    // there before is not governed, and nothing posted since is missed.
    const cursor = parseCursor(await ports.cursors.get(communityId, key)) ?? {
      id: '',
      created: Math.floor(integration.createdAt / 1000),
    }
    const { items, requests } = await readSince(api, path, cursor, parse, keyOf)
    outcome.requests += requests
    for (const item of items) {
      if (!(await handle(item))) {
        return
      }
      await ports.cursors.set(communityId, key, JSON.stringify(keyOf(item)))
    }
  }

  const thingKey = (item: Thing): ListingCursor => ({ id: item.data.name, created: item.data.created_utc })

  await readListing('new', `/r/${sr}/new`, (a) => parseThings(a, 'new'), thingKey, handleThing)
  await readListing('comments', `/r/${sr}/comments`, (a) => parseThings(a, 'comments'), thingKey, handleThing)
  await readModQueue(api, handleThing, outcome)
  await readListing(
    'log',
    `/r/${sr}/about/log`,
    parseModActions,
    (entry: ModActionData) => ({ id: entry.id, created: entry.created_utc }),
    async (entry) => {
      if (
        own(entry.mod) &&
        (await ports.echoes.take(communityId, echoKey.modAction(entry.action, echoTarget(entry))))
      ) {
        return true
      }
      await handleOnce(ports.deliveries, communityId, `log:${entry.id}`, async () => {
        outcome.activity += 1
        const mod = await ensureMember(ports.members, communityId, {
          externalId: accountId(entry.mod),
          name: entry.mod,
        })
        await ports.trigger({
          communityId,
          type: 'reddit.modAction',
          data: modActionTrigger(entry),
          initiatorId: mod.id,
        })
      })
      return true
    },
  )
  outcome.requests += await recheckVoteReplies(deps, api, communityId, await trackedReplies(), refresh)
  await saveTracked()
  outcome.openVotes = await countOpenVotes()
  return outcome

  async function countOpenVotes(): Promise<number> {
    const open = parseOpenVotes(await ports.cursors.get(communityId, openVotesKey))
    const still: string[] = []
    for (const postId of open) {
      if ((await ports.votes.proposalOfPost(communityId, postId))?.status === 'proposed') {
        still.push(postId)
      }
    }
    if (still.length !== open.length) {
      await ports.cursors.set(communityId, openVotesKey, JSON.stringify(still))
    }
    return still.length
  }

  async function readModQueue(reddit: RedditApi, handle: (item: Thing) => Promise<boolean>, out: PollOutcome) {
    // The queue is not in time order: what was handled of it is kept (only while it is queued).
    const seen = new Set<string>(JSON.parse((await ports.cursors.get(communityId, 'modqueue')) ?? '[]') as string[])
    const queued = parseThings(await reddit.get(`/r/${sr}/about/modqueue`, { limit: 100 }), 'modqueue')
    out.requests += 1
    const still = new Set<string>()
    for (const item of [...queued].reverse()) {
      if (seen.has(item.data.name) || (await handle(item))) {
        still.add(item.data.name)
      }
    }
    await ports.cursors.set(communityId, 'modqueue', JSON.stringify([...still]))
  }
}

/** Edited and deleted vote replies move and withdraw their votes; replies to decided votes are let go. */
async function recheckVoteReplies(
  deps: RedditDeps,
  api: RedditApi,
  communityId: number,
  replies: TrackedReplies,
  refresh: (proposal: Proposal) => Promise<void>,
): Promise<number> {
  const { votes } = deps.ports
  const names = Object.keys(replies).slice(0, 100)
  if (names.length === 0) {
    return 0
  }
  const now = new Map(
    parseThings(await api.get('/api/info', { id: names.join(',') }), 'info').map((t) => [t.data.name, t]),
  )
  for (const name of names) {
    const entry = replies[name]
    if (entry === undefined) {
      continue
    }
    const proposal = await votes.proposal(communityId, entry.proposalId)
    if (proposal?.status !== 'proposed') {
      delete replies[name]
      continue
    }
    const before = voteFromReply(entry.body, proposal.voteOptions)
    const item = now.get(name)
    if (item === undefined || isDeleted(item) || item.kind !== 't1') {
      delete replies[name]
      if (before) {
        await withdrawHostedVote(
          votes,
          { communityId, proposalId: proposal.id, memberId: entry.memberId, vote: before },
          refresh,
        )
      }
      continue
    }
    if (item.data.body === entry.body) {
      continue
    }
    const after = voteFromReply(item.data.body, proposal.voteOptions)
    entry.body = item.data.body
    if (after) {
      await castHostedVote(
        votes,
        { communityId, proposalId: proposal.id, memberId: entry.memberId, vote: after },
        refresh,
      )
    } else if (before) {
      await withdrawHostedVote(
        votes,
        { communityId, proposalId: proposal.id, memberId: entry.memberId, vote: before },
        refresh,
      )
    }
  }
  return 1
}

function postTrigger(data: Thing['data'] & { title: string; selftext: string }): JsonObject {
  return {
    fullname: data.name,
    author: data.author,
    title: data.title,
    text: data.selftext,
    createdUtc: data.created_utc,
    permalink: data.permalink ?? null,
  }
}

function commentTrigger(data: Thing['data'] & { body: string; parent_id: string; link_id: string }): JsonObject {
  return {
    fullname: data.name,
    author: data.author,
    text: data.body,
    parent: data.parent_id,
    post: data.link_id,
    createdUtc: data.created_utc,
    permalink: data.permalink ?? null,
  }
}

/**
 * What PolicyKit's echo of a mod action is keyed by: the post or comment acted on, or, for an
 * action on an account (a ban: Reddit logs the account's `t2_` fullname), the username.
 */
function echoTarget(entry: ModActionData): string {
  const fullname = entry.target_fullname
  return fullname && !fullname.startsWith('t2_') ? fullname : (entry.target_author ?? '').toLowerCase()
}

function modActionTrigger(entry: ModActionData): JsonObject {
  return {
    id: entry.id,
    mod: entry.mod,
    action: entry.action,
    target: entry.target_fullname ?? null,
    targetAuthor: entry.target_author ?? null,
    details: entry.details ?? null,
    createdUtc: entry.created_utc,
  }
}

/**
 * The poller as a listener: every connected subreddit, then a pause (the interval, longer while
 * idle, longer still when Reddit's budget runs low or it answered 429), until `signal` aborts.
 */
export function redditPoller(deps: RedditDeps, ops: RedditOperations): ListenerDef {
  return {
    name: 'poller',
    scope: 'once',
    async run(signal) {
      const { ports, options } = deps
      const deferred = new Set<string>()
      let interval = options.pollIntervalMs
      while (!signal.aborted) {
        let activity = 0
        let requests = 0
        let openVotes = 0
        let backoff = 0
        for (const integration of await ports.integrations.listAll({ activeOnly: true })) {
          if (signal.aborted) {
            return
          }
          try {
            const outcome = await pollSubreddit(deps, ops, integration, deferred)
            activity += outcome.activity
            requests += outcome.requests
            openVotes += outcome.openVotes
          } catch (e) {
            if (isAppError(e, 'platform_unavailable')) {
              backoff = Math.max(backoff, e.retryAfterMs ?? options.pollIntervalMs)
            }
            ports.logger.warn(
              { platform: ports.platform, communityId: integration.communityId, err: toError(e) },
              'reddit: a poll failed; the next one resumes where it stopped',
            )
          }
        }
        interval =
          activity > 0 || openVotes > 0
            ? options.pollIntervalMs
            : Math.min(interval * 1.5, options.pollIntervalMs * idleFactor)
        const wait = Math.max(interval, backoff, waitForBudget(deps.budget, Math.max(requests, 1), ports.now()))
        try {
          await sleep(wait, undefined, { signal })
        } catch {
          return
        }
      }
    },
  }
}
