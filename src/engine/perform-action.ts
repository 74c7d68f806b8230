import type { Action } from '../domain/action.ts'
import { AppError, isAppError, toError } from '../errors.ts'
import type { ClaimedState, SettledState, Store } from '../store/store.ts'
import type { Logger } from './logger.ts'
import type { PlatformAccess } from './platform-access.ts'

export type PerformOp = 'execute' | 'revert'

/**
 * done: it happened now; skipped: nothing to do (already done, or cannot be done); or the
 * platform could not take it now (`platform_unavailable`): try later, not before `retry.retryAfterMs`.
 */
export type PerformOutcome = 'done' | 'skipped' | { retry: AppError }

export function isRetry(outcome: PerformOutcome): outcome is { retry: AppError } {
  return typeof outcome === 'object'
}

interface Transition {
  from: SettledState
  during: ClaimedState
  to: SettledState
}

export interface PerformDeps {
  store: Store
  access: PlatformAccess
  logger: Logger
  now(): number
  /** Who holds the claims this process makes (its heartbeat renews them). */
  owner: string
}

/** The idempotency key of an operation on an action, handed to the platform and kept on the action. */
export function idempotencyKey(action: Action, op: PerformOp): string {
  return `${action.platform}:${action.id}:${op}`
}

/**
 * Executes or reverts an action on its platform: the state moves to `executing` or `reverting`
 * by compare-and-set before the platform is called, so concurrent callers and duplicate
 * deliveries cannot both do it. A claim whose process died is taken over once its holder stops
 * renewing it and tried again with the same idempotency key, `retry` set (at least once for that
 * rare case). A constitution action changes only PolicyKit's database: its claim, effect and
 * `executed` are one transaction, so it happens exactly once.
 */
export async function performAction(deps: PerformDeps, action: Action, op: PerformOp): Promise<PerformOutcome> {
  const { store, access, logger } = deps
  const { def, platform } = access.actionDef(action.type)
  const transition = transitionFor(action, op)
  if (action.executionState !== transition.from) {
    return 'skipped'
  }
  const able = op === 'execute' ? def.execute !== undefined : def.revert !== undefined
  if (!able) {
    logger.warn(
      { communityId: action.communityId, actionId: action.id, type: action.type },
      `${action.type} cannot ${op}`,
    )
    return 'skipped'
  }
  const key = idempotencyKey(action, op)
  const run = async (within: Store): Promise<PerformOutcome> => {
    const claimed = await within.actions.claim(action.communityId, action.id, {
      from: [transition.from],
      to: transition.during,
      now: deps.now(),
      owner: deps.owner,
      key,
    })
    if (!claimed) {
      return 'skipped'
    }
    const ctx = {
      ...(await access.context(action.communityId, platform)),
      idempotencyKey: key,
      retry: claimed.tries > 1,
    }
    let result = action.result
    if (op === 'execute' && def.execute) {
      const returned = await def.execute(ctx, action.params, action)
      // What revert will be handed must be what it expects: a platform's bug shows here, not at the undo.
      const checked = returned && def.result ? def.result.safeParse(returned) : undefined
      if (checked && !checked.success) {
        throw new Error(`${action.type}: execute returned a result its schema refuses (${checked.error.message})`)
      }
      result = returned ? { ...(result ?? {}), ...returned } : result
    } else if (op === 'revert' && def.revert) {
      await def.revert(ctx, action.params, action.result, action)
    }
    await within.actions.transitionExecution(action.communityId, action.id, [transition.during], transition.to, result)
    return 'done'
  }
  const atomic = platform.kind === 'constitution'
  try {
    // A failed atomic run rolled back its claim with everything else.
    return atomic ? await store.transaction(run) : await run(store)
  } catch (e) {
    if (!atomic) {
      await store.actions.transitionExecution(action.communityId, action.id, [transition.during], transition.from)
    }
    const error = toError(e)
    const details = { communityId: action.communityId, actionId: action.id, type: action.type, err: error }
    if (isAppError(error, 'platform_unavailable')) {
      logger.warn(details, `${op} of ${action.type} failed, will retry: ${error.message}`)
      return { retry: error }
    }
    logger.error(details, `${op} of ${action.type} failed: ${error.message}`)
    throw error instanceof AppError ? error : new AppError('platform_rejected', error.message, { cause: error })
  }
}

function transitionFor(action: Action, op: PerformOp): Transition {
  if (op === 'revert') {
    return { from: 'none', during: 'reverting', to: 'reverted' }
  }
  // A platform action that happened and was reverted is redone; one proposed in PolicyKit is done.
  return { from: action.origin === 'platform' ? 'reverted' : 'none', during: 'executing', to: 'executed' }
}

/** The claim `op` holds on the action while its platform call runs, and the state before it. */
export function claimOf(action: Action, op: PerformOp): { claimed: ClaimedState; before: SettledState } {
  const { during, from } = transitionFor(action, op)
  return { claimed: during, before: from }
}

/** Which operation holds a claim. */
export function opOfClaim(claimed: ClaimedState): PerformOp {
  return claimed === 'executing' ? 'execute' : 'revert'
}
