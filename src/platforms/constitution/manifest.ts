import { definePlatform, type ActionDef, type PlatformDef } from '../platform.ts'
import { documentActions } from './actions/documents.ts'
import { integrationActions } from './actions/integrations.ts'
import { memberActions } from './actions/members.ts'
import { policyActions } from './actions/policies.ts'
import { roleActions } from './actions/roles.ts'
import { settingsActions } from './actions/settings.ts'
import type { ConstitutionDeps } from './constitution-deps.ts'
import { constitutionFunctions } from './functions.ts'
import { constitutionPolicyDocs } from './policy-docs.ts'
import { constitutionPresenters } from './present.ts'

/**
 * The built-in platform whose actions change PolicyKit itself: policies, roles and who has them,
 * documents, integrations and settings. Its actions (`constitution.addPolicy`, …) are governed
 * by constitution policies like any other action and executed when their proposal passes (or at
 * once for a proposer holding `execute` for the type). None can be reverted: undoing one is
 * another proposal. Each checks what it refers to when proposed (`validate`) and again when it
 * runs, since things may have changed while the vote was open. Each execute's writes commit
 * together with the action's new state, or not at all.
 */
export function createConstitutionPlatform(given: ConstitutionDeps): PlatformDef {
  // The engine executes a constitution action in one transaction with its `executed` (DESIGN §3,
  // crash safety); the actions' writes join it through this store.
  const deps = { ...given, store: given.store.joining() }
  return definePlatform({
    name: 'constitution',
    builtIn: true,
    kind: 'constitution',
    actions: withPresenters(
      {
        ...policyActions(deps),
        ...roleActions(deps),
        ...memberActions(deps),
        ...documentActions(deps),
        ...integrationActions(deps),
        ...settingsActions(deps),
      },
      constitutionPresenters(deps),
    ),
    functions: constitutionFunctions(deps),
    policyDocs: constitutionPolicyDocs,
  })
}

/** Each action with its title and diff for people (`present.ts`). */
function withPresenters(
  actions: Record<string, ActionDef>,
  presenters: Record<string, NonNullable<ActionDef['present']>>,
): Record<string, ActionDef> {
  return Object.fromEntries(
    Object.entries(actions).map(([name, def]) => {
      const present = presenters[name]
      return [name, present ? { ...def, present } : def]
    }),
  )
}
