import { blockNames, type BlockName, type PolicyVersion } from '../domain/policy.ts'
import { normalizeCheckResult, type Proposal, type ProposalStatus } from '../domain/proposal.ts'
import type { HostFunction, Sandbox, SandboxError, SandboxResult } from '../sandbox/sandbox.ts'
import type { Clock } from '../scheduler/clock.ts'
import type { StepWrites, Store, VoteWithVoter } from '../store/store.ts'
import type { Action } from '../domain/action.ts'
import { isAppError, type AppError } from '../errors.ts'
import type { Logger } from './logger.ts'
import type { PerformOp, PerformOutcome } from './perform-action.ts'
import type { PlatformAccess } from './platform-access.ts'
import { RunContext, type ActionView, type LeaseRelease } from './run-context.ts'

export interface EvaluationDeps {
  store: Store
  sandbox: Sandbox
  access: PlatformAccess
  logger: Logger
  clock: Clock
  /** Runs a passed action and emits its `.executed` trigger. */
  onPassed(action: Action): Promise<void>
  perform(action: Action, op: PerformOp): Promise<PerformOutcome>
  /** Called once by whoever decided the proposal, after the rest of the decision ran; never throws. */
  onDecided(proposal: Proposal): Promise<void>
  /**
   * Decides a pending proposal by compare-and-set and, in the same transaction, schedules its
   * outcome (pass/fail block, execute or revert) so that a crash cannot lose it. Undefined when
   * someone else decided it first; else `run` carries the outcome out now, in this process.
   * `also` runs in the decision's transaction, told whether this call decided it (the step's
   * writes, so that they and the decision commit together). `loaded`: the action as the
   * evaluation's blocks saw it and the policy version, which the outcome run here uses as they are.
   */
  decide(
    proposal: Proposal,
    status: 'passed' | 'failed',
    now: number,
    also: (store: Store, decided: boolean) => Promise<void>,
    loaded: Loaded,
  ): Promise<{ run(): Promise<void> } | undefined>
  /** Re-checks the proposal at `atMs` (the sweep does it anyway when there is no queue). */
  recheckAt(proposal: Proposal, atMs: number): Promise<void>
}

/**
 * What an evaluation loaded besides the proposal: its action as the blocks see it, the pinned
 * version and, when its check decided, the votes that check saw (the outcome's blocks see the
 * votes the decision was made on).
 */
export interface Loaded {
  actionView: ActionView
  version: PolicyVersion
  votes?: VoteWithVoter[] | null
}

/** How long an evaluation step waits for a platform that gave no Retry-After. */
export const unavailableRetryMs = 5_000

/** How long an evaluation step waits after the server was too slow to answer its block's calls. */
export const slowServerRetryMs = 2_000

/**
 * Platform functions that remember the last `platform_unavailable` (a 429, an outage) they threw:
 * the policy still sees the error, but a block that then fails failed through no fault of its
 * own, so its evaluation step is put off and tried again rather than counted against the policy.
 */
function noteUnavailable(
  functions: Record<string, HostFunction>,
  seen: { error: AppError | null },
): Record<string, HostFunction> {
  const noted: Record<string, HostFunction> = {}
  for (const [path, fn] of Object.entries(functions)) {
    noted[path] = async (...args) => {
      try {
        return await fn(...args)
      } catch (e) {
        if (isAppError(e, 'platform_unavailable')) {
          seen.error = e
        }
        throw e
      }
    }
  }
  return noted
}

function isBlank(code: string): boolean {
  return code.trim() === ''
}

/** A block that only returns a boolean literal (a base policy's `return true` filter, say). */
const literalReturn = /^\s*return\s+(true|false)\s*;?\s*$/

/**
 * What such a block returns, known without running it (it can do nothing else): it costs no
 * trip to a sandbox worker. Undefined for any other block.
 */
function literalResult(code: string): SandboxResult | undefined {
  const literal = literalReturn.exec(code)?.[1]
  return literal === undefined ? undefined : { ok: true, value: literal === 'true' }
}

function seedFor(id: number, block: BlockName, now: number): number {
  return (Math.imul(id, 2654435761) ^ Math.imul(blockNames.indexOf(block) + 1, 40503) ^ now) >>> 0
}

async function runBlock(
  deps: EvaluationDeps,
  ctx: RunContext,
  block: BlockName,
  functions: Record<string, HostFunction>,
  asyncFunctions: Record<string, HostFunction> = {},
): Promise<SandboxResult> {
  const code = ctx.version.blocks[block]
  if (isBlank(code)) {
    return { ok: true, value: undefined }
  }
  const literal = literalResult(code)
  if (literal) {
    return literal
  }
  await ctx.loadVotes()
  return deps.sandbox.run({
    block,
    code,
    globals: ctx.globals(),
    functions,
    asyncFunctions,
    answers: ctx.answers(),
    now: ctx.now,
    randomSeed: seedFor(ctx.proposal?.id ?? ctx.view.action.id, block, ctx.now),
  })
}

function logBlockError(logger: Logger, ctx: RunContext, error: SandboxError, consequence: string): void {
  const where = error.line === undefined ? error.block : `${error.block}, line ${error.line}`
  // The community sees it in the proposal's log; the operator in the server's, at info: a
  // policy's bug is the community's to fix, not a fault of the server.
  logger.info(
    {
      communityId: ctx.view.action.communityId,
      proposalId: ctx.proposal?.id ?? null,
      proposalNumber: ctx.proposal?.number ?? null,
      actionId: ctx.view.action.id,
      policyId: ctx.version.policyId,
      block: error.block,
      kind: error.kind,
      line: error.line ?? null,
    },
    `policy error in ${where}: ${error.message} (${consequence})`,
  )
  ctx.log('error', `${error.kind} error in ${where}: ${error.message} (${consequence})`, {
    block: error.block,
    kind: error.kind,
    ...(error.line === undefined ? {} : { line: error.line }),
  })
}

/** Whether the version's filter matches, when that is known without running it (blank, `return true`…). */
export function knownFilterResult(version: PolicyVersion): boolean | undefined {
  const { filter } = version.blocks
  if (isBlank(filter)) {
    return true
  }
  const literal = literalResult(filter)
  return literal?.ok ? Boolean(literal.value) : undefined
}

/** Runs the filter block; an empty filter matches, an error means it does not. */
export async function filterMatches(deps: EvaluationDeps, view: ActionView, version: PolicyVersion): Promise<boolean> {
  const known = knownFilterResult(version)
  if (known !== undefined) {
    return known
  }
  const ctx = new RunContext({ store: deps.store, view, version, proposal: null, now: deps.clock.now() })
  const result = await runBlock(deps, ctx, 'filter', ctx.functions())
  if (!result.ok) {
    logBlockError(deps.logger, ctx, result.error, 'the policy does not govern this action')
  }
  await ctx.flush()
  return result.ok && Boolean(result.value)
}

/**
 * What a decided proposal's decision does, once (DESIGN §3): the pass or fail block (at most
 * once, by compare-and-set), then for a governed action the execute (passed) or, for one that
 * happened on its platform, the revert (failed); last, the vote's host is told. Run at once by
 * whoever decided, or by the outcome job that takes over when that process died; each step is
 * guarded, so running it again does nothing twice.
 */
export async function runOutcome(
  deps: EvaluationDeps,
  proposal: Proposal,
  { actionView: view, version, votes }: Loaded,
  /** The block's one run was claimed already (`ProposalRepo.claimOutcome`), by this caller. */
  claimed = false,
): Promise<void> {
  const { store } = deps
  const status = proposal.status
  if (status !== 'passed' && status !== 'failed') {
    return
  }
  const block = status === 'passed' ? 'pass' : 'fail'
  try {
    // A blank block has nothing to run at most once: no flag to write.
    if (
      !isBlank(version.blocks[block]) &&
      (claimed || (await store.proposals.markOutcomeRan(proposal.communityId, proposal.id)))
    ) {
      const ctx = new RunContext({ store, view, version, proposal, now: deps.clock.now(), votes })
      try {
        const platformFunctions = await deps.access.policyFunctions(
          proposal.communityId,
          proposal,
          view.action,
          (_platform, post) => ctx.setVotePost(post),
        )
        const result = await runBlock(deps, ctx, block, ctx.functions(), platformFunctions)
        if (!result.ok) {
          logBlockError(deps.logger, ctx, result.error, `the proposal stays ${status}`)
        }
      } finally {
        await ctx.flush()
      }
    }
    // Only an action this proposal governs is executed or reverted, never the one a trigger shows.
    const governed = view.triggerType === undefined && view.action.kind !== 'trigger' ? view.action : null
    if (governed && status === 'passed') {
      await deps.onPassed(governed)
    } else if (governed && governed.origin === 'platform') {
      await deps.perform(governed, 'revert')
    }
  } finally {
    // Last, so the vote's host can never hold up or undo what the decision does.
    await deps.onDecided(proposal)
  }
}

/** Whether the version has a pass or a fail block to run (at most once) when a proposal is decided. */
export function hasOutcomeBlock(version: PolicyVersion): boolean {
  return !isBlank(version.blocks.pass) || !isBlank(version.blocks.fail)
}

/**
 * Whether a new action's first evaluation under `version` may run before anything is written
 * (`evaluateUnwritten`): there is no notify block to run once, and no action on a platform to
 * revert, after it.
 */
export function mayEvaluateUnwritten(version: PolicyVersion, action: Pick<Action, 'origin' | 'kind'>): boolean {
  return isBlank(version.blocks.notify) && action.origin === 'policykit' && action.kind !== 'trigger'
}

/**
 * How a first evaluation run before anything was written ended: `writes`, what the proposal's
 * first row and log lines are to hold (pending, notified), and when its check decided or a block
 * raised, `decide`, which decides it (carrying the outcome out) or makes it `errored` once those
 * rows are written; else it was left to the ordinary way, `again` telling whether the version's
 * next first evaluation may still be tried this way.
 */
export type UnwrittenOutcome = { writes: StepWrites; decide?: () => Promise<ProposalStatus> } | { again: boolean }

/**
 * A first evaluation (initialize, check) of a proposal that is not written yet, nor its action:
 * both stand under the ids they are about to get, so that they, the evaluation's data and its log
 * lines are then written in one commit. Only what the blocks can do inside the sandbox counts. A
 * block that calls a platform (the call is refused and not made), or fails because the server was
 * too slow, ends it having done nothing outside this process: the caller writes the action and
 * evaluates it the ordinary way, its blocks running again. A check that decides, or a block that
 * raises, is decided (or errored) once the rows are written (`decide`).
 */
export async function evaluateUnwritten(
  deps: EvaluationDeps,
  proposal: Proposal,
  view: ActionView,
  version: PolicyVersion,
): Promise<UnwrittenOutcome> {
  const ctx = new RunContext({ store: deps.store, view, version, proposal, now: deps.clock.now() })
  const called = { platform: false }
  const refused: Record<string, HostFunction> = {}
  const platformFunctions = await deps.access.policyFunctions(proposal.communityId, proposal, view.action, () => {})
  for (const path of Object.keys(platformFunctions)) {
    refused[path] = () => {
      called.platform = true
      throw new Error(`${path} is not called before the proposal is written`)
    }
  }
  const functions = ctx.functions()
  const init = await runBlock(deps, ctx, 'initialize', functions, refused)
  const check = init.ok ? await runBlock(deps, ctx, 'check', functions, refused) : init
  if (called.platform || (!check.ok && check.error.hostBound)) {
    // A server too slow to answer the block's calls is no reason to give up on this way for good.
    return { again: !called.platform }
  }
  if (!check.ok) {
    // The policy's own error: the ordinary way would only run the blocks again to it.
    const { error } = check
    return { writes: ctx.takeWrites(), decide: () => erroredStep(deps, ctx, proposal, error) }
  }
  const status = normalizeCheckResult(check.value)
  ctx.log('debug', checkReturned(status))
  if (status !== 'proposed') {
    // Written as it stands, then decided as the ordinary way decides it (the blocks ran once).
    const writes = ctx.takeWrites()
    return { writes, decide: () => decideStep(deps, ctx, proposal, status) }
  }
  ctx.markNotified()
  return { writes: ctx.takeWrites() }
}

function checkReturned(status: ProposalStatus): string {
  return `check returned ${status}`
}

/**
 * A first evaluation's block failed through the policy's fault: the proposal is `errored` (what
 * its blocks wrote kept, the error in its log), and the caller moves on to the next eligible policy.
 */
async function erroredStep(
  deps: EvaluationDeps,
  ctx: RunContext,
  proposal: Proposal,
  error: SandboxError,
  last?: LeaseRelease,
): Promise<ProposalStatus> {
  logBlockError(deps.logger, ctx, error, 'moving on to the next eligible policy')
  // notify may have opened a vote before it raised, so its host is told too.
  if (await deps.store.proposals.decide(proposal.communityId, proposal.id, 'errored', ctx.now)) {
    last?.decided()
    deps.logger.info(
      {
        communityId: proposal.communityId,
        proposalId: proposal.id,
        proposalNumber: proposal.number,
        actionId: ctx.view.action.id,
        status: 'errored',
      },
      `proposal #${proposal.number} errored: the next eligible policy is tried`,
    )
    await ctx.flush()
    await deps.onDecided(proposal)
  }
  return 'errored'
}

/**
 * Decides the proposal as its check said, what the step's blocks wrote (`ctx`: data, log lines)
 * committing with the decision whoever decides, then carries the outcome out here. Gives the
 * status the proposal is left in: another's decision when someone decided it first.
 */
async function decideStep(
  deps: EvaluationDeps,
  ctx: RunContext,
  proposal: Proposal,
  status: 'passed' | 'failed',
  last?: LeaseRelease,
): Promise<ProposalStatus> {
  const { view, version } = ctx
  const decided = await deps.decide(
    proposal,
    status,
    ctx.now,
    async (trx, won) => {
      if (won) {
        ctx.log('info', `proposal #${proposal.number} ${status}`)
      }
      await ctx.flush(undefined, trx)
    },
    { actionView: view, version, votes: ctx.votesRead },
  )
  last?.decided()
  if (!decided) {
    // Someone else decided it first; their decision stands and nothing runs twice.
    return (await deps.store.proposals.get(proposal.communityId, proposal.id))?.status ?? status
  }
  deps.logger.info(
    {
      communityId: proposal.communityId,
      proposalId: proposal.id,
      proposalNumber: proposal.number,
      actionId: view.action.id,
      type: view.action.type,
      policyId: version.policyId,
      status,
    },
    `proposal #${proposal.number} ${status}`,
  )
  await decided.run()
  return status
}

/**
 * One evaluation of a proposal under its pinned policy version (DESIGN §3): on the first,
 * initialize → check → pass/fail, or revert and notify while it stays proposed; on later ones,
 * check → pass/fail. Returns the status it leaves the proposal in; `errored` means the first
 * evaluation raised and the caller moves on to the next eligible policy.
 */
export async function evaluateProposal(
  deps: EvaluationDeps,
  proposal: Proposal,
  view: ActionView,
  version: PolicyVersion,
  first: boolean,
  /** The lease, let go with the evaluation's last writes. */
  last?: LeaseRelease,
): Promise<ProposalStatus> {
  const { store } = deps
  const ctx = new RunContext({ store, view, version, proposal, now: deps.clock.now() })
  const functions = ctx.functions()
  // Platform calls go over the network: a block that makes one runs where the guest can wait.
  const unavailable: { error: AppError | null } = { error: null }
  const platformFunctions = noteUnavailable(
    await deps.access.policyFunctions(proposal.communityId, proposal, view.action, (_platform, post) =>
      ctx.setVotePost(post),
    ),
    unavailable,
  )
  // Only an action this proposal governs is executed or reverted, never the one a trigger shows.
  const governed = view.triggerType === undefined && view.action.kind !== 'trigger' ? view.action : null

  /**
   * A block failed through no fault of its own (a platform said it cannot serve now, or the
   * server was too slow to answer its calls in time): the step is tried again after `waitMs`. A
   * first evaluation is tried again whole (initialize included, on the data it started from):
   * the proposal goes back to not notified, which is what makes the next re-check a first
   * evaluation. Calls the step made before the failing one are made again.
   */
  const deferred = async (error: SandboxError, reason: string, waitMs: number): Promise<ProposalStatus> => {
    const where = error.line === undefined ? error.block : `${error.block}, line ${error.line}`
    const again = first ? 'the first evaluation' : 'the check'
    deps.logger.info(
      { communityId: proposal.communityId, proposalId: proposal.id, actionId: view.action.id, block: error.block },
      `${reason} in ${where} (${again} is tried again in ${waitMs} ms)`,
    )
    ctx.log('warn', `${reason} in ${where} (${again} is tried again in ${Math.ceil(waitMs / 1000)} s)`, {
      block: error.block,
    })
    if (first) {
      ctx.discardData()
      await store.proposals.clearNotified(proposal.communityId, proposal.id)
    }
    await deps.recheckAt(proposal, ctx.now + waitMs)
    return 'proposed'
  }

  /** A failed block of the first evaluation: put off when the platform or server was the cause, else errored. */
  const failed = (error: SandboxError): Promise<ProposalStatus> => {
    const cause = unavailable.error
    if (cause) {
      const waitMs = Math.max(cause.retryAfterMs ?? unavailableRetryMs, 250)
      return deferred(error, `platform unavailable: ${cause.message}`, waitMs)
    }
    if (error.hostBound) {
      return deferred(error, `the server was too slow (${error.message})`, slowServerRetryMs)
    }
    return errored(error)
  }

  const errored = (error: SandboxError): Promise<ProposalStatus> => erroredStep(deps, ctx, proposal, error, last)

  try {
    if (first) {
      const init = await runBlock(deps, ctx, 'initialize', functions, platformFunctions)
      if (!init.ok) {
        return await failed(init.error)
      }
    }
    const check = await runBlock(deps, ctx, 'check', functions, platformFunctions)
    if (!check.ok) {
      if (first || unavailable.error || check.error.hostBound) {
        return await failed(check.error)
      }
      logBlockError(deps.logger, ctx, check.error, 'the proposal stays pending')
      return 'proposed'
    }
    const status = normalizeCheckResult(check.value)
    if (first || status !== 'proposed') {
      ctx.log('debug', checkReturned(status))
    }
    if (status !== 'proposed') {
      return await decideStep(deps, ctx, proposal, status, last)
    }
    if (first) {
      if (governed && governed.origin === 'platform') {
        await deps.perform(governed, 'revert')
      }
      if (isBlank(version.blocks.notify)) {
        // Nothing to run only once: the flag goes with the evaluation's last writes.
        ctx.markNotified()
      } else if (await store.proposals.markNotified(proposal.communityId, proposal.id)) {
        const notify = await runBlock(deps, ctx, 'notify', functions, platformFunctions)
        if (!notify.ok) {
          return await failed(notify.error)
        }
      }
    }
    return 'proposed'
  } finally {
    await ctx.flush(last)
  }
}
