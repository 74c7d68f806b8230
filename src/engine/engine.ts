import { randomUUID } from 'node:crypto'
import { actionPlatform, type Action, type ActionKind, type ActionOrigin } from '../domain/action.ts'
import { readCommunitySettings } from '../domain/community-settings.ts'
import type { JsonObject } from '../domain/json.ts'
import { hasPermission } from '../domain/member.ts'
import type { PolicyVersion } from '../domain/policy.ts'
import { newProposal, type Proposal, type ProposalStatus } from '../domain/proposal.ts'
import type { VoteValue } from '../domain/vote.ts'
import { AppError, toError } from '../errors.ts'
import type { PlatformDef } from '../platforms/platform.ts'
import { inBackground, type Sandbox } from '../sandbox/sandbox.ts'
import type { Clock } from '../scheduler/clock.ts'
import type { ActionInput, RecheckState, Store } from '../store/store.ts'
import { CommunityCache, type CommunitySnapshot, type Initiator } from './community-cache.ts'
import {
  evaluateProposal,
  evaluateUnwritten,
  filterMatches,
  hasOutcomeBlock,
  knownFilterResult,
  mayEvaluateUnwritten,
  runOutcome,
  type EvaluationDeps,
  type Loaded,
} from './evaluate-proposal.ts'
import { silentLogger, type Logger } from './logger.ts'
import { createEngineLatencies, secondsSince, type EngineLatencies } from './latencies.ts'
import { mayVote } from './may-vote.ts'
import { claimOf, isRetry, opOfClaim, performAction, type PerformOp, type PerformOutcome } from './perform-action.ts'
import { PlatformAccess } from './platform-access.ts'
import { markNew, type ActionView, type LeaseRelease } from './run-context.ts'
import { VersionCache } from './version-cache.ts'

/** What a re-check read with its proposal: the action and the community's cache version. */
type ReadWith = Pick<RecheckState, 'action' | 'cacheVersion'>

/**
 * How long a proposal's lease and an action's claim last unless their holder renews them (the
 * runtime's heartbeat does, every third of it, while its process lives). When a process dies,
 * what it held is taken over once this has passed: the takeover bound is this plus the
 * heartbeat's period.
 */
export const defaultLeaseMs = 5_000

/**
 * Pending proposals the sweep re-checks at a time. Two: while one proposal's block runs in a
 * sandbox worker, the next one is read on this thread. Measured on 2 cores, five runs of three
 * sweeps over 2,000 pending proposals each way, in turn: 0.20–0.30 ms a re-check this way
 * against 0.27–0.40 ms one at a time.
 */
const sweepLanes = 2

/** How the engine asks for work later; the scheduler implements it durably. */
export interface EngineJobs {
  recheck(communityId: number, proposalId: number, atMs?: number): Promise<void>
  /** Retry an execute or revert that the platform could not take now, at `atMs` (epoch ms) or later. */
  retryPerform(communityId: number, actionId: number, op: PerformOp, atMs: number): Promise<void>
  /**
   * In the transaction that decides a proposal (`trx`): writes the job that carries out the
   * decision (`Engine.runOutcome`), held by this process, which runs it at once after the commit
   * and then calls `done`. When this process dies first, another takes the job over.
   */
  scheduleOutcome(trx: Store, communityId: number, proposalId: number): Promise<{ done(): Promise<void> }>
}

export interface EngineDeps {
  store: Store
  sandbox: Sandbox
  platforms: readonly PlatformDef[]
  clock: Clock
  logger?: Logger
  fetch?: typeof fetch
  /** Without it, votes re-check inline and failed platform calls are only logged. */
  jobs?: EngineJobs
  /** How long a lease or claim lasts unless renewed (`heartbeat`); default `defaultLeaseMs`. */
  leaseMs?: number
  /** Who this engine is in the leases and claims it holds (the runtime: its queue's worker id). */
  owner?: string
  /**
   * A web-only process (workers run the jobs): a vote's re-check is queued for a worker rather
   * than run in the request, so the voter's answer does not wait for the decision.
   */
  recheckQueued?: boolean
}

export interface ProposeInput {
  communityId: number
  type: string
  params: JsonObject
  initiatorId: number | null
  origin: ActionOrigin
  /** The platform's id for the event, so a redelivered webhook makes no second action. */
  externalId?: string | null
  /** What `revert` needs of an action that already happened (e.g. the message's id). */
  result?: JsonObject | null
}

export type ProposeOutcome =
  | { status: 'executed'; action: Action }
  | { status: 'forbidden'; action: Action; reason: string }
  | { status: 'duplicate'; action: Action; proposal: Proposal | undefined }
  | { status: 'ungoverned'; action: Action }
  | { status: ProposalStatus; action: Action; proposal: Proposal }

export interface TriggerInput {
  communityId: number
  type: string
  data: JsonObject
  initiatorId?: number | null
}

export interface Engine {
  /** A platform or constitution action: check permissions, choose its policy, evaluate. */
  propose(input: ProposeInput): Promise<ProposeOutcome>
  /** An event: every trigger policy listing its type and passing its filter runs. */
  trigger(input: TriggerInput): Promise<Proposal[]>
  /** Records a member's vote and re-checks the proposal at once (resolves after the re-check). */
  castVote(communityId: number, proposalId: number, memberId: number, vote: VoteValue): Promise<void>
  /**
   * Takes back a member's vote (only when it is still `vote`, if given) and re-checks the
   * proposal at once; false when there was no such vote or the proposal is decided.
   */
  withdrawVote(communityId: number, proposalId: number, memberId: number, vote?: VoteValue): Promise<boolean>
  /** Re-evaluates one pending proposal; `busy` when another evaluation holds it (it re-runs). */
  recheck(communityId: number, proposalId: number): Promise<'checked' | 'busy' | 'closed'>
  /**
   * Re-checks every pending proposal (the safety net for time-based conditions), skipping a
   * community whose `sweepSeconds` setting has not elapsed since this engine last swept it.
   */
  sweep(): Promise<{ checked: number }>
  /** Runs an execute or revert that was put off; throws platform_unavailable to be retried. */
  perform(communityId: number, actionId: number, op: PerformOp): Promise<void>
  /** Carries out a decided proposal's outcome (the outbox job); what already ran is not run again. */
  runOutcome(communityId: number, proposalId: number): Promise<void>
  /**
   * Renews every lease and claim this engine holds, then takes over what a dead process held:
   * pending proposals whose lease ran out or whose requested re-check nobody holds are
   * re-checked, and interrupted executes and reverts are tried again. The runtime calls it
   * every third of the lease.
   */
  heartbeat(): Promise<void>
  /** Evaluation and vote-to-decision latencies in this process, for `/metrics`. */
  readonly latencies: EngineLatencies
}

export function createEngine(deps: EngineDeps): Engine {
  const logger = deps.logger ?? silentLogger
  const { store, clock } = deps
  const leaseMs = deps.leaseMs ?? defaultLeaseMs
  const owner = deps.owner ?? `engine-${randomUUID()}`
  const access = new PlatformAccess({
    store,
    platforms: deps.platforms,
    fetch: deps.fetch ?? fetch,
    logger,
    now: () => clock.now(),
  })
  const versions = new VersionCache(store)
  const cached = new CommunityCache(store)
  const evaluation: EvaluationDeps = {
    store,
    sandbox: deps.sandbox,
    access,
    logger,
    clock,
    onPassed,
    perform,
    onDecided: closeVote,
    decide: decideAfterVote,
    async recheckAt(proposal, atMs) {
      // Without a queue the sweep re-checks every pending proposal anyway.
      await deps.jobs?.recheck(proposal.communityId, proposal.id, atMs)
    },
  }
  /**
   * The sweep's: its blocks run in the background (`BlockRun.background`), so that while one
   * proposal's block runs, the next one's is read (see `sweepLanes`).
   */
  const sweeping: EvaluationDeps = { ...evaluation, sandbox: inBackground(deps.sandbox) }
  const anyClosesVotes = deps.platforms.some((p) => p.voting !== undefined)
  const performDeps = { store, access, logger, now: () => clock.now(), owner }

  const latencies = createEngineLatencies()
  /** When the vote whose re-check runs now in this process was recorded, by proposal. */
  const votedAt = new Map<number, number>()

  /** `decide`, timing vote to decision when a vote's re-check made the decision. */
  async function decideAfterVote(
    proposal: Proposal,
    status: 'passed' | 'failed',
    now: number,
    also: (store: Store, decided: boolean) => Promise<void>,
    loaded: Loaded,
  ) {
    const decided = await decide(proposal, status, now, also, loaded)
    const at = votedAt.get(proposal.id)
    if (decided && at !== undefined) {
      votedAt.delete(proposal.id)
      latencies.voteToDecision.observe(secondsSince(at))
    }
    return decided
  }

  /** The outbox (DESIGN §3, crash safety): the decision and its scheduled outcome commit together. */
  async function decide(
    proposal: Proposal,
    status: 'passed' | 'failed',
    now: number,
    also: (store: Store, decided: boolean) => Promise<void>,
    loaded: Loaded,
  ): Promise<{ run(): Promise<void> } | undefined> {
    const { communityId, id } = proposal
    const jobs = deps.jobs
    if (!jobs) {
      // No queue to take over: the outcome runs now, in this process only.
      const decided = await store.proposals.decide(communityId, id, status, now)
      await also(store, decided)
      return decided ? { run: () => outcomeOf(communityId, id, loaded) } : undefined
    }
    const scheduled = await store.transaction(async (trx) => {
      const decided = await trx.proposals.decide(communityId, id, status, now)
      await also(trx, decided)
      return decided ? await jobs.scheduleOutcome(trx, communityId, id) : undefined
    })
    return (
      scheduled && {
        async run() {
          try {
            await outcomeOf(communityId, id, loaded)
          } finally {
            await scheduled.done()
          }
        },
      }
    )
  }

  /**
   * Runs a decided proposal's outcome (`runOutcome`). The proposal is read again (the deciding
   * step wrote its data and vote post); its action and policy version, which a decision does
   * not change, and the votes the deciding check saw are `loaded` by the evaluation that decided
   * it when that ran in this process.
   */
  async function outcomeOf(communityId: number, proposalId: number, loaded?: Loaded): Promise<void> {
    if (loaded && hasOutcomeBlock(loaded.version)) {
      // Its block's one run claimed and the proposal read again in one statement.
      const claimed = await store.proposals.claimOutcome(communityId, proposalId)
      if (claimed) {
        await runOutcome(evaluation, claimed, loaded, true)
        return
      }
    }
    const proposal = await store.proposals.get(communityId, proposalId)
    if (!proposal || (proposal.status !== 'passed' && proposal.status !== 'failed')) {
      return
    }
    await runOutcome(evaluation, proposal, loaded ?? (await loadForEvaluation(proposal)))
  }

  /** `cacheVersion`: the community's, as just read with the action (see `CommunityCache`). */
  async function initiatorOf(
    communityId: number,
    memberId: number | null,
    cacheVersion?: number,
  ): Promise<Initiator | null> {
    if (memberId === null) {
      return null
    }
    return cached.initiator(communityId, memberId, cacheVersion)
  }

  function viewWith(action: Action, initiator: Initiator | null): ActionView {
    return { action, initiator: initiator && { ...initiator, platform: action.platform } }
  }

  async function view(action: Action, cacheVersion?: number): Promise<ActionView> {
    return viewWith(action, await initiatorOf(action.communityId, action.initiatorId, cacheVersion))
  }

  /** What the initiator may do; an action nobody initiated has the default role's permissions. */
  async function permissionsOf(community: CommunitySnapshot, initiator: Initiator | null): Promise<Set<string>> {
    const roles = initiator ? initiator.roles : await community.defaultRoles()
    return new Set(roles.flatMap((r) => r.permissions))
  }

  async function perform(action: Action, op: PerformOp): Promise<PerformOutcome> {
    const outcome = await performAction(performDeps, action, op)
    if (isRetry(outcome)) {
      if (deps.jobs) {
        await deps.jobs.retryPerform(action.communityId, action.id, op, clock.now() + (outcome.retry.retryAfterMs ?? 0))
      } else {
        await store.logs.add(action.communityId, [
          {
            actionId: action.id,
            level: 'error',
            message: `could not ${op} ${action.type}: platform unavailable`,
            now: clock.now(),
          },
        ])
      }
    }
    return outcome
  }

  /**
   * Executes an action, and when its platform refuses (a constitution action whose target is
   * gone, say) marks it `failed` and says why in its log, so the refusal is seen, not retried.
   */
  async function execute(action: Action): Promise<PerformOutcome> {
    try {
      return await perform(action, 'execute')
    } catch (e) {
      const error = toError(e)
      await store.actions.transitionExecution(action.communityId, action.id, ['none', 'reverted'], 'failed')
      await store.logs.add(action.communityId, [
        {
          actionId: action.id,
          level: 'error',
          message: `could not execute ${action.type}: ${error.message}`,
          now: clock.now(),
        },
      ])
      throw error
    }
  }

  /**
   * Tells the platform hosting a decided proposal's vote that the vote is closed (however it was
   * decided). Best effort: a failure is logged and the decision stands.
   */
  async function closeVote(decided: Proposal): Promise<void> {
    if (!anyClosesVotes) {
      return
    }
    const { communityId, id } = decided
    try {
      // Read afresh: the vote may have been opened in this very evaluation, and the hook sees the outcome.
      const proposal = await store.proposals.get(communityId, id)
      const platform = proposal?.votePlatform ? access.platform(proposal.votePlatform) : undefined
      if (!proposal || !platform?.voting) {
        return
      }
      await platform.voting.close(await access.context(communityId, platform), proposal)
    } catch (e) {
      logger.warn({ communityId, proposalId: id, err: toError(e) }, 'could not close the vote where it was held')
    }
  }

  /** After a governed action passed: run it, then let trigger policies react. */
  async function onPassed(action: Action): Promise<void> {
    if (action.kind === 'trigger') {
      return
    }
    let outcome: PerformOutcome
    try {
      outcome = await execute(action)
    } catch {
      // The decision stands; why the action could not be carried out is in its log.
      return
    }
    // When the platform cannot take it now, the retried execution emits the trigger instead; a
    // skipped execute did nothing (someone else holds or finished it), unless the action
    // happened on its platform and was never undone: then it stands as it happened.
    if (outcome === 'done' || (outcome === 'skipped' && (await standsAsItHappened(action)))) {
      await emitExecuted(action)
    }
  }

  async function standsAsItHappened(action: Action): Promise<boolean> {
    const current = await store.actions.get(action.communityId, action.id)
    return current?.origin === 'platform' && current.executionState === 'none'
  }

  /** Whether the action's governing proposal passed (an errored one moved on, so it is not it). */
  async function hasPassed(action: Action): Promise<boolean> {
    const passed = await store.proposals.list(action.communityId, { actionId: action.id, status: 'passed', limit: 1 })
    return passed.length > 0
  }

  /**
   * Undoes a claim on the action that a crash left behind (the process died during the
   * platform call, or before its outcome was written), putting the action back as it was before
   * the claim; true when this call undid it. A fresh claim is someone at work and stays.
   */
  async function recoverClaim(action: Action, op: PerformOp): Promise<boolean> {
    const { claimed, before } = claimOf(action, op)
    if (action.executionState !== claimed) {
      return false
    }
    const claimedBefore = clock.now() - leaseMs
    if (!(await store.actions.releaseOverdueClaim(action.communityId, action.id, claimed, before, claimedBefore))) {
      return false
    }
    await logAction(action, 'warn', `the ${op} of ${action.type} was interrupted; it will be tried again`)
    logger.warn(
      { communityId: action.communityId, actionId: action.id, type: action.type },
      `interrupted ${op} of ${action.type}: trying again`,
    )
    return true
  }

  /**
   * Claims a crash left behind (their holder stopped renewing them a lease ago), for the
   * heartbeat and the sweep: each goes the way of a retried perform (a job with the queue, at
   * once without), which undoes the claim and tries again.
   */
  async function recoverInterrupted(): Promise<void> {
    const overdue = await store.actions.overdueClaims(clock.now() - leaseMs, 100)
    for (const { id, communityId, executionState } of overdue) {
      const op = opOfClaim(executionState)
      try {
        if (deps.jobs) {
          await deps.jobs.retryPerform(communityId, id, op, clock.now())
        } else {
          await engine.perform(communityId, id, op)
        }
      } catch (e) {
        logger.error({ communityId, actionId: id, err: toError(e) }, `could not retry the interrupted ${op}`)
      }
    }
  }

  async function emitExecuted(action: Action): Promise<void> {
    await runTrigger(action.communityId, `${action.type}.executed`, { actionId: action.id }, action.initiatorId, action)
  }

  /**
   * Re-checks the pending proposal under its lock (`Store.proposalLocks`), which takes no write:
   * a re-check that changes nothing writes nothing. Runs again for as long as re-checks were
   * asked for meanwhile, here or (PostgreSQL) by another process. When someone else holds the
   * proposal, they are asked to re-check once more instead: the lock's holder here or elsewhere
   * (the count in the row, which the holder reads before it is done), or a first evaluation's
   * lease (see `whileLeased`).
   */
  async function recheckLocked(
    communityId: number,
    proposalId: number,
    evaluationDeps: EvaluationDeps,
  ): Promise<'checked' | 'busy' | 'closed'> {
    const locks = store.proposalLocks
    // Whether this call re-checked it at least once (a later round may find it decided).
    let checked = false
    for (;;) {
      let attempt = await locks.tryLock(proposalId)
      if (attempt === 'elsewhere') {
        // Asked first, then tried again: either this takes it now, or its holder lets go after
        // the request was counted, and reads it.
        await store.proposals.requestRecheck(communityId, proposalId)
        attempt = await locks.tryLock(proposalId)
      }
      if (attempt !== 'taken') {
        const proposal = await store.proposals.get(communityId, proposalId)
        return checked ? 'checked' : proposal?.status === 'proposed' ? 'busy' : 'closed'
      }
      let result: 'checked' | 'again' | 'busy' | 'closed'
      let askedHere: boolean
      try {
        for (;;) {
          result = await recheckHeld(communityId, proposalId, evaluationDeps)
          checked ||= result === 'checked' || result === 'again'
          if (!(result === 'again' || (result === 'checked' && locks.takeRequest(proposalId)))) {
            break
          }
        }
      } finally {
        askedHere = await locks.unlock(proposalId)
      }
      if (askedHere) {
        // Asked here after the last look: once more (a decided proposal is seen closed at once).
        continue
      }
      if (result !== 'checked') {
        return checked ? 'checked' : result
      }
      // A request from elsewhere counted after the last look, while this process held the lock.
      if (locks.alone || !(await store.proposals.recheckRequested(communityId, proposalId))) {
        return 'checked'
      }
    }
  }

  /** One re-check with the proposal's lock held; `again` when more were asked for meanwhile. */
  async function recheckHeld(
    communityId: number,
    proposalId: number,
    evaluationDeps: EvaluationDeps,
  ): Promise<'checked' | 'again' | 'busy' | 'closed'> {
    for (;;) {
      const found = await store.proposals.readForRecheck(communityId, proposalId)
      if (found?.proposal.status !== 'proposed') {
        return 'closed'
      }
      const { lease } = found
      if (lease && lease.until >= clock.now()) {
        // Its first evaluation runs: its holder re-checks before letting go. Else it let go: look again.
        if (await store.proposals.askLeaseHolder(communityId, proposalId, clock.now())) {
          return 'busy'
        }
        continue
      }
      // Its first evaluation's process died (the lease ran out): this re-check is that evaluation.
      if (lease && !(await store.proposals.breakLease(communityId, proposalId, lease.token))) {
        continue
      }
      const hold = new LockHold(found.requested)
      await recheckLeased(found.proposal, hold, evaluationDeps, found)
      return hold.released?.recheck ? 'again' : 'checked'
    }
  }

  function newLease(): { token: string; owner: string; until: number } {
    return { token: randomUUID(), owner, until: clock.now() + leaseMs }
  }

  /**
   * With the lease held: runs `first`, then `again` for as long as re-checks came in meanwhile,
   * then lets go. A new proposal's first evaluation is `first` only, never repeated: what
   * arrived while it ran (a vote, the sweep, a webhook) gets a re-check after it.
   */
  async function whileLeased(
    communityId: number,
    proposalId: number,
    token: string,
    first: (release: Release) => Promise<void>,
    again: (release: Release) => Promise<void>,
  ): Promise<Proposal | undefined> {
    for (let run = first; ; run = again) {
      const release = new Release(communityId, proposalId, token)
      try {
        await run(release)
      } catch (e) {
        // Even when released with the last writes: their transaction may be what failed.
        await store.proposals.releaseLease(communityId, proposalId, token)
        throw e
      }
      // Released with the evaluation's last writes, or here when it made none that way.
      const { recheck, proposal } = release.released ?? (await release.run(store))
      if (!recheck) {
        return proposal
      }
    }
  }

  /** A new proposal, born leased to its first evaluation (see `evaluateNew`). */
  async function createLeased(
    communityId: number,
    input: { actionId: number; policyId: number; policyVersionId: number },
  ): Promise<NewLeased> {
    const lease = newLease()
    return {
      created: await store.proposals.create(communityId, { ...input, now: clock.now(), lease }),
      token: lease.token,
    }
  }

  /**
   * A new proposal, leased to the first evaluation that `evaluate` runs, then re-checked as
   * asked. Gives the proposal as it was when the lease was let go (read by that very write).
   */
  async function evaluateNew(
    communityId: number,
    { created, token }: NewLeased,
    evaluate: (proposal: Proposal, release: Release) => Promise<void>,
  ): Promise<{ created: Proposal; released: Proposal | undefined }> {
    markNew(created)
    const released = await whileLeased(
      communityId,
      created.id,
      token,
      (release) => evaluate(created, release),
      (release) => recheckLoaded(communityId, created.id, release),
    )
    return { created, released }
  }

  /** Inside the lease: reads the proposal afresh (a loop round may follow a decision). */
  async function recheckLoaded(communityId: number, proposalId: number, release: LeaseRelease): Promise<void> {
    const current = await store.proposals.get(communityId, proposalId)
    if (current) {
      await recheckLeased(current, release, evaluation)
    }
  }

  /** `read`: the proposal's action and its community's cache version, when read with it. */
  async function recheckLeased(
    current: Proposal,
    release: LeaseRelease,
    evaluationDeps: EvaluationDeps,
    read?: ReadWith,
  ): Promise<void> {
    if (current.status !== 'proposed') {
      return
    }
    const { actionView, version } = await loadForEvaluation(current, read)
    // Not notified yet: the first evaluation died with its process (its lease ran out), so this is it.
    await evaluateProposal(evaluationDeps, current, actionView, version, !current.notified, release)
  }

  /** A proposal's action as its blocks see it, and its pinned policy version. */
  async function loadForEvaluation(proposal: Proposal, read?: ReadWith): Promise<Loaded> {
    const action = read?.action ?? (await store.actions.get(proposal.communityId, proposal.actionId))
    const version = await versions.get(proposal.communityId, proposal.policyVersionId)
    if (!action || !version) {
      throw new Error(`proposal ${proposal.id} lost its action or policy version`)
    }
    const actionView =
      action.kind === 'trigger' ? await triggerView(action, read?.cacheVersion) : await view(action, read?.cacheVersion)
    return { actionView, version }
  }

  async function triggerView(trigger: Action, cacheVersion?: number): Promise<ActionView> {
    const governedId = trigger.params['actionId']
    if (trigger.type.endsWith('.executed') && typeof governedId === 'number') {
      const governed = await store.actions.get(trigger.communityId, governedId)
      if (governed) {
        return { ...(await view(governed, cacheVersion)), triggerType: trigger.type }
      }
    }
    return view(trigger, cacheVersion)
  }

  /**
   * The policy that governs a new action of `type` when no filter has to run to tell (the first
   * candidates' filters are blank or return a literal, a base policy's `return true`, say), so
   * its proposal can be made with the action, in one commit. Undefined when a filter must run.
   */
  async function knownGovernor(
    community: CommunitySnapshot,
    kind: ActionKind,
    type: string,
  ): Promise<PolicyVersion | undefined> {
    for (const policy of await community.candidates(kind, type)) {
      const version = await versions.get(community.communityId, policy.versionId)
      const matches = version && knownFilterResult(version)
      if (matches === undefined) {
        return undefined
      }
      if (matches) {
        return version
      }
    }
    return undefined
  }

  /**
   * Versions whose first evaluation, run before anything was written, called a platform or
   * failed: it would only do so again, so their new actions are written first.
   */
  const writtenFirst = new Set<number>()

  /**
   * A new action governed by `version`, known without running a filter, evaluated first and
   * written after (`evaluateUnwritten`): the action, its pending proposal and the evaluation's
   * log lines in one commit, then, when the check decided, the decision and its outcome.
   * Undefined when it must go the ordinary way (nothing was written).
   */
  async function proposeUnwritten(
    actionInput: ActionInput,
    communityId: number,
    version: PolicyVersion,
    initiator: Initiator | null,
  ): Promise<{ action: Action; created: boolean; proposal: Proposal | undefined } | undefined> {
    if (writtenFirst.has(version.versionId) || !mayEvaluateUnwritten(version, actionInput)) {
      return undefined
    }
    const ids = await store.proposals.nextIds(communityId)
    const now = actionInput.now
    const action: Action = {
      id: ids.actionId,
      communityId,
      kind: actionInput.kind,
      type: actionInput.type,
      platform: actionPlatform(actionInput.type),
      origin: actionInput.origin,
      initiatorId: actionInput.initiatorId,
      params: actionInput.params,
      result: actionInput.result ?? null,
      executionState: 'none',
      externalId: actionInput.externalId ?? null,
      createdAt: now,
    }
    const proposal = newProposal({
      id: ids.proposalId,
      communityId,
      number: ids.number,
      actionId: ids.actionId,
      policyId: version.policyId,
      policyVersionId: version.versionId,
      proposedAt: now,
    })
    markNew(proposal)
    const evaluated = await evaluateUnwritten(evaluation, proposal, viewWith(action, initiator), version)
    if (!('writes' in evaluated)) {
      if (!evaluated.again) {
        writtenFirst.add(version.versionId)
      }
      return undefined
    }
    const made = await store.proposals.createEvaluated(communityId, actionInput, {
      policyId: version.policyId,
      policyVersionId: version.versionId,
      now,
      expected: ids,
      writes: evaluated.writes,
    })
    if (!made?.created || !made.proposal || !evaluated.decide) {
      return made
    }
    // Its check decided: decided now that it is written, and its outcome carried out.
    await evaluated.decide()
    return { ...made, proposal: (await store.proposals.get(communityId, made.proposal.id)) ?? made.proposal }
  }

  /**
   * First evaluation: the first candidate whose filter matches governs; errors move on, and the
   * next candidate sees the action as it now is (reverted, if the errored evaluation reverted it).
   * `made`: the proposal already made with the action for the candidate known to govern it;
   * `erred`: a candidate whose first evaluation, run before the action was written, errored.
   */
  async function govern(
    actionView: ActionView,
    kind: ActionKind,
    community: CommunitySnapshot,
    made?: NewLeased,
    erred?: number,
  ): Promise<Proposal | undefined> {
    const { communityId, id: actionId, type } = actionView.action
    let current = actionView
    const candidates = await community.candidates(kind, type)
    for (const policy of candidates) {
      if (policy.id === erred) {
        continue
      }
      const version = await versions.get(communityId, policy.versionId)
      const premade = made?.created.policyId === policy.id ? made : undefined
      if (!version || (!premade && !(await filterMatches(evaluation, current, version)))) {
        continue
      }
      // Set in the callback, so an object (a plain variable would stay narrowed to 'proposed').
      const first = { status: 'proposed' as ProposalStatus }
      const shown = current
      const { created, released } = await evaluateNew(
        communityId,
        premade ??
          (await createLeased(communityId, { actionId, policyId: policy.id, policyVersionId: version.versionId })),
        async (proposal, release) => {
          first.status = await evaluateProposal(evaluation, proposal, shown, version, true, release)
        },
      )
      if (first.status !== 'errored') {
        return released ?? store.proposals.get(communityId, created.id)
      }
      const action = await store.actions.get(communityId, actionId)
      current = action ? { ...current, action } : current
    }
    return undefined
  }

  async function runTrigger(
    communityId: number,
    type: string,
    data: JsonObject,
    initiatorId: number | null,
    governed: Action | null,
  ): Promise<Proposal[]> {
    const policies = (await cached.candidates(communityId, 'trigger', type)).filter((p) => p.actionTypes.length > 0)
    if (policies.length === 0) {
      return []
    }
    // The trigger is stored only once some policy's filter wants it, to keep the table small.
    const pending: Action = {
      id: 0,
      communityId,
      kind: 'trigger',
      type,
      platform: type.slice(0, type.indexOf('.')),
      origin: 'platform',
      initiatorId,
      params: data,
      result: null,
      executionState: 'none',
      externalId: null,
      createdAt: clock.now(),
    }
    const shown = governed ? { ...(await view(governed)), triggerType: type } : await view(pending)
    let stored: Action | undefined
    const proposals: Proposal[] = []
    for (const policy of policies) {
      const version = await versions.get(communityId, policy.versionId)
      if (!version || !(await filterMatches(evaluation, shown, version))) {
        continue
      }
      stored ??= (
        await store.actions.create(communityId, {
          kind: 'trigger',
          type,
          origin: 'platform',
          initiatorId,
          params: data,
          now: pending.createdAt,
        })
      ).action
      const triggerView: ActionView = governed ? shown : { ...shown, action: stored }
      const { created, released } = await evaluateNew(
        communityId,
        await createLeased(communityId, {
          actionId: stored.id,
          policyId: policy.id,
          policyVersionId: version.versionId,
        }),
        async (proposal, release) => {
          await evaluateProposal(evaluation, proposal, triggerView, version, true, release)
        },
      )
      const after = released ?? (await store.proposals.get(communityId, created.id))
      if (after && after.status !== 'errored') {
        proposals.push(after)
      }
    }
    return proposals
  }

  /** When this engine last swept each community (kept in memory: a restart sweeps all at once). */
  const lastSwept = new Map<number, number>()

  /**
   * Whether a sweep that began at `now` re-checks the community: decided once per sweep, by the
   * first of its lanes to ask (the others wait for that answer; asked again, the community would
   * look swept already).
   */
  function sweepDue(due: Map<number, Promise<boolean>>, communityId: number, now: number): Promise<boolean> {
    let isDue = due.get(communityId)
    if (isDue === undefined) {
      isDue = (async () => {
        const community = await store.communities.get(communityId)
        const seconds = community ? readCommunitySettings(community.settings).sweepSeconds : undefined
        const last = lastSwept.get(communityId)
        const dueNow = seconds === undefined || last === undefined || now - last >= seconds * 1000
        if (dueNow) {
          lastSwept.set(communityId, now)
        }
        return dueNow
      })()
      due.set(communityId, isDue)
    }
    return isDue
  }

  /** `engine.recheck` with the evaluation's dependencies given, timed for `/metrics`. */
  async function recheckTimed(
    communityId: number,
    proposalId: number,
    evaluationDeps: EvaluationDeps,
  ): Promise<'checked' | 'busy' | 'closed'> {
    const start = performance.now()
    const result = await recheckLocked(communityId, proposalId, evaluationDeps)
    if (result === 'checked') {
      latencies.recheck.observe(secondsSince(start))
    }
    return result
  }

  async function logAction(action: Action, level: 'info' | 'warn', message: string): Promise<void> {
    await store.logs.add(action.communityId, [{ actionId: action.id, level, message, now: clock.now() }])
  }

  async function recheckAfterVote(communityId: number, proposalId: number): Promise<void> {
    if (deps.recheckQueued && deps.jobs) {
      await deps.jobs.recheck(communityId, proposalId)
    } else {
      await engine.recheck(communityId, proposalId)
    }
  }

  const engine: Engine = {
    async propose(input) {
      const start = performance.now()
      const { platform, def } = access.actionDef(input.type)
      const parsed = def.params.safeParse(input.params)
      if (!parsed.success) {
        throw new AppError('invalid_input', `${input.type}: ${parsed.error.issues.map(formatIssue).join('; ')}`)
      }
      const kind: ActionKind = platform.kind ?? 'platform'
      // One read of the community's cache version for the permission check and the choice of policy.
      const community = await cached.snapshot(input.communityId)
      const initiator = input.initiatorId === null ? null : await community.initiator(input.initiatorId)
      if (input.initiatorId !== null && !initiator) {
        throw new AppError('not_found', `member ${input.initiatorId} not found`)
      }
      const permissions = await permissionsOf(community, initiator)
      const canExecute = hasPermission(permissions, `execute:${input.type}`)
      const canPropose = canExecute || hasPermission(permissions, `propose:${input.type}`)
      if (input.origin === 'policykit' && !canPropose) {
        throw new AppError('forbidden', `you may not propose ${input.type}`)
      }
      if (def.validate) {
        await def.validate(await access.validateContext(input.communityId, platform, input.initiatorId), parsed.data)
      }
      const actionInput = {
        kind,
        type: input.type,
        origin: input.origin,
        initiatorId: input.initiatorId,
        params: parsed.data,
        externalId: input.externalId ?? null,
        result: input.result ?? null,
        now: clock.now(),
      }
      // Governed by a policy known without running a filter: the action and its proposal in one
      // commit, with the first evaluation's writes when it can run before them.
      const governor = canPropose && !canExecute ? await knownGovernor(community, kind, input.type) : undefined
      const evaluated = governor && (await proposeUnwritten(actionInput, input.communityId, governor, initiator))
      // Its first evaluation, run before it was written, errored: the next eligible policy is tried.
      const erred = evaluated?.proposal?.status === 'errored' ? evaluated.proposal.policyId : undefined
      if (evaluated?.created && evaluated.proposal && erred === undefined) {
        latencies.firstEvaluation.observe(secondsSince(start))
        return { status: evaluated.proposal.status, action: evaluated.action, proposal: evaluated.proposal }
      }
      const lease = governor && !evaluated ? newLease() : undefined
      const {
        action,
        created,
        proposal: premade,
      } = evaluated ??
      (governor && lease
        ? await store.proposals.createWithAction(input.communityId, actionInput, {
            policyId: governor.policyId,
            policyVersionId: governor.versionId,
            now: actionInput.now,
            lease,
          })
        : { ...(await store.actions.create(input.communityId, actionInput)), proposal: undefined })
      if (!created) {
        const [proposal] = await store.proposals.list(input.communityId, { actionId: action.id, limit: 1 })
        return { status: 'duplicate', action, proposal }
      }
      if (canExecute) {
        if (action.origin === 'policykit') {
          await execute(action)
        }
        await logAction(action, 'info', `executed at once: the initiator may execute ${action.type}`)
        await emitExecuted(action)
        return { status: 'executed', action: (await store.actions.get(action.communityId, action.id)) ?? action }
      }
      if (!canPropose) {
        const reason = `the initiator may not propose ${action.type}`
        await logAction(action, 'warn', `reverted: ${reason}`)
        await perform(action, 'revert')
        return { status: 'forbidden', action, reason }
      }
      const proposal = await govern(
        viewWith(action, initiator),
        kind,
        community,
        premade && lease && { created: premade, token: lease.token },
        erred,
      )
      if (!proposal) {
        await logAction(action, 'warn', `no active policy governs ${action.type}; it was left as it is`)
        logger.warn({ communityId: action.communityId, actionId: action.id, type: action.type }, 'ungoverned action')
        return { status: 'ungoverned', action }
      }
      latencies.firstEvaluation.observe(secondsSince(start))
      return { status: proposal.status, action, proposal }
    },

    async trigger(input) {
      const dot = input.type.indexOf('.')
      const def = dot > 0 ? access.platform(input.type.slice(0, dot))?.triggers?.[input.type.slice(dot + 1)] : undefined
      if (!def) {
        throw new AppError('invalid_input', `unknown trigger type '${input.type}'`)
      }
      const parsed = def.data.safeParse(input.data)
      if (!parsed.success) {
        throw new AppError('invalid_input', `${input.type}: ${parsed.error.issues.map(formatIssue).join('; ')}`)
      }
      return runTrigger(input.communityId, input.type, parsed.data, input.initiatorId ?? null, null)
    },

    async castVote(communityId, proposalId, memberId, vote) {
      const proposal = await store.proposals.get(communityId, proposalId)
      if (!proposal) {
        throw new AppError('not_found', `proposal ${proposalId} not found`)
      }
      if (proposal.status !== 'proposed') {
        throw new AppError('conflict', `voting on proposal ${proposalId} is closed (${proposal.status})`)
      }
      const community = await cached.snapshot(communityId)
      const voter = await community.initiator(memberId)
      if (!voter) {
        throw new AppError('not_found', `member ${memberId} not found`)
      }
      // Every host of a vote (dashboard, Slack buttons and reactions, …) comes through here.
      const version = await versions.get(communityId, proposal.policyVersionId)
      if (!version) {
        throw new Error(`proposal ${proposalId} lost its policy version`)
      }
      if (!mayVote(proposal, memberId, await permissionsOf(community, voter), version.name)) {
        throw new AppError('forbidden', `member ${memberId} may not vote on proposal ${proposalId}`)
      }
      // The vote and the request to re-check commit together: a crash before the re-check leaves
      // the request for the takeover (`heartbeat`), so an acknowledged vote is always counted.
      await store.transaction(async (trx) => {
        await trx.votes.cast(communityId, { proposalId, memberId, vote, now: clock.now() })
        await trx.proposals.requestRecheck(communityId, proposalId)
      })
      // In this process and now, so the voter's answer can show the decision their vote made. When
      // another evaluation holds the proposal, it runs again after (the lease records the request).
      const at = performance.now()
      votedAt.set(proposalId, at)
      try {
        await recheckAfterVote(communityId, proposalId)
      } finally {
        // A later vote on the same proposal has its own time; this one's is dropped.
        if (votedAt.get(proposalId) === at) {
          votedAt.delete(proposalId)
        }
      }
    },

    async withdrawVote(communityId, proposalId, memberId, vote) {
      const proposal = await store.proposals.get(communityId, proposalId)
      if (proposal?.status !== 'proposed') {
        return false
      }
      const [current] = await store.votes.list(communityId, proposalId, { memberIds: [memberId] })
      if (!current || (vote !== undefined && (current.kind !== vote.kind || current.value !== vote.value))) {
        return false
      }
      if (!(await store.votes.withdraw(communityId, proposalId, memberId))) {
        return false
      }
      await recheckAfterVote(communityId, proposalId)
      return true
    },

    recheck(communityId, proposalId) {
      return recheckTimed(communityId, proposalId, evaluation)
    },

    async sweep() {
      try {
        await recoverInterrupted()
      } catch (e) {
        logger.error({ err: toError(e) }, 'sweep: looking for interrupted executions failed')
      }
      const now = clock.now()
      const due = new Map<number, Promise<boolean>>()
      let checked = 0
      for (let afterId = 0; ;) {
        const page = await store.proposals.pendingPage(afterId, 200)
        const last = page.at(-1)
        if (last === undefined) {
          return { checked }
        }
        afterId = last.id
        let next = 0
        const lane = async () => {
          for (let item = page[next++]; item !== undefined; item = page[next++]) {
            const { id, communityId } = item
            try {
              if (
                (await sweepDue(due, communityId, now)) &&
                (await recheckTimed(communityId, id, sweeping)) === 'checked'
              ) {
                checked++
              }
            } catch (e) {
              // One broken proposal must not starve the rest of the sweep.
              logger.error({ communityId, proposalId: id, err: toError(e) }, 'sweep: re-check failed')
            }
          }
        }
        await Promise.all(Array.from({ length: sweepLanes }, lane))
      }
    },

    runOutcome: (communityId, proposalId) => outcomeOf(communityId, proposalId),

    async heartbeat() {
      const now = clock.now()
      await store.proposals.renewLeases(owner, now + leaseMs)
      await store.actions.renewClaims(owner, now)
      await recoverInterrupted()
      for (const { id, communityId } of await store.proposals.takeoverPage(now, 100)) {
        try {
          if (deps.jobs) {
            await deps.jobs.recheck(communityId, id)
          } else {
            await engine.recheck(communityId, id)
          }
        } catch (e) {
          logger.error({ communityId, proposalId: id, err: toError(e) }, 'takeover: re-check failed')
        }
      }
    },

    async perform(communityId, actionId, op) {
      let action = await store.actions.get(communityId, actionId)
      if (!action) {
        throw new AppError('not_found', `action ${actionId} not found`)
      }
      const recovered = await recoverClaim(action, op)
      if (recovered) {
        action = (await store.actions.get(communityId, actionId)) ?? action
      }
      // A revert that waited (platform unavailable, or interrupted) while the proposal passed.
      const passedMeanwhile = op === 'revert' && (await hasPassed(action))
      if (passedMeanwhile && !recovered) {
        // The revert never happened: the action stands as it happened, as its decision says.
        await logAction(action, 'info', `the revert of ${action.type} was dropped: its proposal passed meanwhile`)
        return
      }
      const outcome = await performAction(performDeps, action, op)
      if (isRetry(outcome)) {
        // The queue retries it, waiting at least as long as the platform asked.
        throw outcome.retry
      }
      if (outcome === 'done' && op === 'execute') {
        await emitExecuted(action)
      }
      if (outcome === 'done' && passedMeanwhile) {
        // Whether the interrupted revert had happened is unknown, so it was redone; now the
        // action is carried out as its proposal decided (whose own execute found it claimed).
        const reverted = await store.actions.get(communityId, actionId)
        if (reverted) {
          await onPassed(reverted)
        }
      }
    },

    latencies,
  }
  return engine
}

/** A proposal just made, leased to its first evaluation by `token`. */
interface NewLeased {
  created: Proposal
  token: string
}

/** Letting go of a proposal's lease, once: with an evaluation's last writes, or after it. */
class Release implements LeaseRelease {
  released: { recheck: boolean; proposal: Proposal | undefined } | undefined
  readonly token: string
  private readonly communityId: number
  private readonly proposalId: number

  constructor(communityId: number, proposalId: number, token: string) {
    this.communityId = communityId
    this.proposalId = proposalId
    this.token = token
  }

  letGo(): { releaseToken: string } {
    return { releaseToken: this.token }
  }

  decided(): void {
    // The lease is let go all the same.
  }

  async run(store: Store): Promise<{ recheck: boolean; proposal: Proposal | undefined }> {
    const released = await store.proposals.releaseLeaseReading(this.communityId, this.proposalId, this.token)
    this.settle(released)
    return released
  }

  settle(released: { recheck: boolean; proposal: Proposal | undefined }): void {
    this.released = released
  }
}

/**
 * A re-check under the proposal's lock: its last writes answer the requests it found, when there
 * were any and the proposal is still pending (else it writes nothing for them).
 */
class LockHold implements LeaseRelease {
  released: { recheck: boolean; proposal: Proposal | undefined } | undefined
  private requested: number

  constructor(requested: number) {
    this.requested = requested
  }

  letGo(): { answered: number } | undefined {
    return this.requested > 0 ? { answered: this.requested } : undefined
  }

  decided(): void {
    this.requested = 0
  }

  settle(released: { recheck: boolean; proposal: Proposal | undefined }): void {
    this.released = released
  }
}

function formatIssue(issue: { path: PropertyKey[]; message: string }): string {
  return issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ${issue.message}` : issue.message
}
