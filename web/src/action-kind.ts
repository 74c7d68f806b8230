import type { ActionKind } from '../../src/domain/action.ts'

export const actionKindNames: ActionKind[] = ['platform', 'constitution', 'trigger']

/** A kind from a form control's value. */
export function toActionKind(value: string): ActionKind {
  return actionKindNames.find((kind) => kind === value) ?? 'platform'
}
