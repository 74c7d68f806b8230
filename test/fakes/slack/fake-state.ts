import type { Deliverer } from './deliveries.ts'
import type { Tokens } from './tokens.ts'
import type { Workspace } from './workspace.ts'

/** What one fake Slack holds; every module gets it passed in (no module-level state). */
export interface FakeState {
  ws: Workspace
  tokens: Tokens
  deliverer: Deliverer
  clientId: string
  clientSecret: string
  verificationToken: string
  /** The redirect URL registered for the app, used when an authorize request names none. */
  redirectUri: string | null
  /** The largest page list methods return, whatever `limit` asks. */
  maxPageSize: number
  /** `http://127.0.0.1:<port>`, known once the server listens. */
  baseUrl: string
}
