import type { Engine } from '../engine/engine.ts'
import type { Logger } from '../engine/logger.ts'
import type { PlatformDef } from '../platforms/platform.ts'
import type { Sandbox } from '../sandbox/sandbox.ts'
import type { Clock } from '../scheduler/clock.ts'
import type { JobStat } from '../scheduler/job-queue.ts'
import type { Store } from '../store/store.ts'

/** What the HTTP server is built from; `main.ts` (through `app.ts`) passes the real ones, tests their own. */
export interface ServerDeps {
  store: Store
  engine: Engine
  /** The constitution and every registered platform, as the engine runs them. */
  platforms: readonly PlatformDef[]
  sandbox: Sandbox
  clock: Clock
  logger: Logger
  /** Signs session cookies and derives other server secrets (the server key's bytes). */
  secretKey: Buffer
  /** Where users reach PolicyKit, e.g. `http://localhost:3000`: links (set-up, invites) use it. */
  publicUrl: string
  /** The dashboard's built files (`web/dist`); null serves the API only. */
  webRoot: string | null
  /** Which proxies' X-Forwarded-For to believe for the client's address (Fastify `trustProxy`); false when absent. */
  trustProxy?: boolean | number | string[]
  /** The one-time set-up token printed by `npm start` while no community exists; null when set up. */
  setupToken: string | null
  /** The job queue's jobs by name and state, for `/metrics`; absent, no job metrics. */
  jobStats?: () => Promise<JobStat[]>
}
