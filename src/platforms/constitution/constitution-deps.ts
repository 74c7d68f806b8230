import type { Sandbox } from '../../sandbox/sandbox.ts'
import type { PlatformDef } from '../platform.ts'
// The constitution is the one platform that changes PolicyKit's own data (policies, roles,
// documents, integrations); other platforms use the Store only for their own records (Slack: its
// members' accounts, the echoes of its calls).
import type { Store } from '../../store/store.ts'

export interface ConstitutionDeps {
  store: Store
  /** To check proposed policy code for syntax errors (compiled, never run). */
  sandbox: Sandbox
  /** The other platforms the engine runs with, by name (to ask a connection whether it still works). */
  platform?(name: string): PlatformDef | undefined
}
