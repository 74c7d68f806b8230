import type { JsonObject } from './json.ts'

/** platform: happened or requested on a platform; constitution: changes PolicyKit; trigger: an event. */
export const actionKinds = ['platform', 'constitution', 'trigger'] as const
export type ActionKind = (typeof actionKinds)[number]

/**
 * Where a governed action came from. `platform`: it already happened there (revert it while
 * pending, re-execute on pass); `policykit`: proposed in PolicyKit (execute on pass).
 */
export type ActionOrigin = 'platform' | 'policykit'

/**
 * none (as it happened, or not yet done) → reverted → executed; the -ing states are held while
 * the platform call runs, so no two callers execute or revert the same action.
 */
export const executionStates = ['none', 'reverting', 'reverted', 'executing', 'executed', 'failed'] as const
export type ExecutionState = (typeof executionStates)[number]

export interface Action {
  id: number
  communityId: number
  kind: ActionKind
  /** `<platform>.<name>`, e.g. `slack.postMessage`, `constitution.addPolicy`, `slack.executed` */
  type: string
  platform: string
  origin: ActionOrigin
  initiatorId: number | null
  params: JsonObject
  /** What `execute` or the platform reported, which `revert` needs (e.g. a message ts). */
  result: JsonObject | null
  executionState: ExecutionState
  /** A platform's own id for the event that produced this action, for idempotent webhooks. */
  externalId: string | null
  createdAt: number
}

export function actionPlatform(type: string): string {
  const dot = type.indexOf('.')
  return dot === -1 ? type : type.slice(0, dot)
}
