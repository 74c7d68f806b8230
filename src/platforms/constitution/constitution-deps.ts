import type { Sandbox } from '../../sandbox/sandbox.ts'
// The constitution is the one platform that changes PolicyKit's own data, so it is the one
// platform given the Store; every other platform knows only platforms/platform.ts.
import type { Store } from '../../store/store.ts'

export interface ConstitutionDeps {
  store: Store
  /** To check proposed policy code for syntax errors (compiled, never run). */
  sandbox: Sandbox
}
