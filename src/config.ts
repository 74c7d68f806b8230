import { isIP } from 'node:net'
import path from 'node:path'
import { z } from 'zod'
import type { PlatformModule } from './platforms/platform.ts'
import { platformModules, type PlatformSettings } from './platforms/registry.ts'

/** Which proxies' X-Forwarded-For to believe: Fastify's `trustProxy` (false: none, the default). */
export type TrustProxy = boolean | number | string[]

const isAddressOrRange = (entry: string) => {
  const [address = '', bits, ...rest] = entry.split('/')
  const version = isIP(address)
  if (version === 0 || rest.length > 0) {
    return false
  }
  if (bits === undefined) {
    return true
  }
  const n = Number(bits)
  return /^\d+$/.test(bits) && n <= (version === 4 ? 32 : 128)
}

/** `true`, `false`, a number of proxy hops, or addresses and CIDR ranges separated by commas. */
const trustProxy = z
  .string()
  .trim()
  .optional()
  .transform((value, ctx): TrustProxy => {
    if (value === undefined || value === '' || value === 'false') {
      return false
    }
    if (value === 'true') {
      return true
    }
    if (/^\d+$/.test(value)) {
      return Number(value)
    }
    const entries = value.split(',').map((e) => e.trim())
    const bad = entries.filter((e) => !isAddressOrRange(e))
    if (bad.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `must be true, false, a number of hops, or IP addresses/CIDR ranges separated by commas (not: ${bad.join(', ')})`,
      })
      return z.NEVER
    }
    return entries
  })

const httpUrl = () => z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })

const env = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  POLICYKIT_DATA_DIR: z.string().min(1).default('data'),
  POLICYKIT_SECRET_KEY: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex characters (32 bytes)')
    .optional(),
  POLICYKIT_SWEEP_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  POLICYKIT_SANDBOX_POOL: z.coerce.number().int().min(1).max(64).default(2),
  POLICYKIT_SANDBOX_BLOCK_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  POLICYKIT_SANDBOX_SPIN_MS: z.coerce.number().min(0).max(10).default(1),
  POLICYKIT_LEASE_SECONDS: z.coerce.number().min(0.3).max(600).default(5),
  POLICYKIT_LISTENER_LEASE_SECONDS: z.coerce.number().min(0.3).max(600).default(10),
  POLICYKIT_JOBS: z.enum(['on', 'off']).default('on'),
  POLICYKIT_QUEUE: z.enum(['pg-boss', 'embedded']).optional(),
  POLICYKIT_JOB_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  POLICYKIT_PUBLIC_URL: httpUrl()
    .transform((url) => url.replace(/\/+$/, ''))
    .optional(),
  POLICYKIT_TRUST_PROXY: trustProxy,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
})

export interface Config {
  databaseUrl: string | undefined
  dataDir: string
  /** The embedded database file (used when no DATABASE_URL is given). */
  sqlitePath: string
  /** Hex key from the environment; otherwise the key file under the data directory is used. */
  secretKeyHex: string | undefined
  secretKeyPath: string
  sweepIntervalMs: number
  /** How long a proposal lease or execution claim lasts unless its process's heartbeat renews it. */
  leaseMs: number
  /**
   * How long a process holds a background listener that runs once across processes (a gateway
   * connection, a poller) unless it renews it: another takes over within two of these.
   */
  listenerLeaseMs: number
  /** Whether `start` runs jobs too (off: a web-only process; `policykit worker` processes run them). */
  runJobs: boolean
  /** pg-boss on PostgreSQL unless told otherwise; always the embedded queue on SQLite. */
  queue: 'pg-boss' | 'embedded'
  /** Jobs of one kind that one process runs at a time. */
  jobConcurrency: number
  sandboxPoolSize: number
  /** Wall-clock limit of one policy block, host calls included; past it its worker is terminated. */
  sandboxBlockMs: number
  /** How long a sandbox worker waits awake for its next job (0: never); the main thread, half. */
  sandboxSpinMs: number
  /** Where the HTTP server listens. */
  port: number
  host: string
  /** Where people reach PolicyKit (links in set-up and invites; Secure cookies when https). */
  publicUrl: string
  /** Which setting gave publicUrl, for commands that print links to say so. */
  publicUrlSource: string
  /** Behind a reverse proxy: whose X-Forwarded-For gives the client's address (sign-in limits are per address). */
  trustProxy: TrustProxy
  logLevel: z.infer<typeof env>['LOG_LEVEL']
  /** Each registered platform's settings by name, read from its own variables; null: that platform is off. */
  platforms: PlatformSettings
}

/** The only reader of process.env: a bad value stops start-up with a message naming it. */
export function loadConfig(
  source: NodeJS.ProcessEnv = process.env,
  modules: readonly PlatformModule[] = platformModules,
): Config {
  const parsed = env.safeParse(source)
  const issues = parsed.success ? [] : [...parsed.error.issues]
  const platforms: Record<string, unknown> = {}
  for (const module of modules) {
    const settings = module.settings.safeParse(source)
    if (settings.success) {
      platforms[module.name] = settings.data
    } else {
      issues.push(...settings.error.issues)
    }
  }
  if (!parsed.success || issues.length > 0) {
    const problems = issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')
    throw new Error(`invalid configuration:\n${problems}`)
  }
  const e = parsed.data
  const dataDir = path.resolve(e.POLICYKIT_DATA_DIR)
  return {
    databaseUrl: e.DATABASE_URL,
    dataDir,
    sqlitePath: path.join(dataDir, 'policykit.db'),
    secretKeyHex: e.POLICYKIT_SECRET_KEY,
    secretKeyPath: path.join(dataDir, 'secret.key'),
    sweepIntervalMs: e.POLICYKIT_SWEEP_SECONDS * 1000,
    leaseMs: Math.round(e.POLICYKIT_LEASE_SECONDS * 1000),
    listenerLeaseMs: Math.round(e.POLICYKIT_LISTENER_LEASE_SECONDS * 1000),
    runJobs: e.POLICYKIT_JOBS === 'on',
    queue: e.DATABASE_URL ? (e.POLICYKIT_QUEUE ?? 'pg-boss') : 'embedded',
    jobConcurrency: e.POLICYKIT_JOB_CONCURRENCY,
    sandboxPoolSize: e.POLICYKIT_SANDBOX_POOL,
    sandboxBlockMs: e.POLICYKIT_SANDBOX_BLOCK_MS,
    sandboxSpinMs: e.POLICYKIT_SANDBOX_SPIN_MS,
    port: e.PORT,
    host: e.HOST,
    publicUrl: e.POLICYKIT_PUBLIC_URL ?? `http://localhost:${e.PORT}`,
    publicUrlSource:
      e.POLICYKIT_PUBLIC_URL !== undefined
        ? 'POLICYKIT_PUBLIC_URL'
        : source['PORT'] === undefined
          ? 'the default port (POLICYKIT_PUBLIC_URL and PORT are unset)'
          : 'PORT (POLICYKIT_PUBLIC_URL is unset)',
    trustProxy: e.POLICYKIT_TRUST_PROXY,
    logLevel: e.LOG_LEVEL,
    platforms,
  }
}
