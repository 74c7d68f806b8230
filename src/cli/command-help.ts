import { readFileSync } from 'node:fs'
import { z } from 'zod'

/** `policykit <command> --help` for the commands without options of their own to describe. */
export const commandHelp: Record<string, string> = {
  start: `usage: policykit start

Migrates the database, then runs the engine, the scheduler and the HTTP server (the dashboard
and the API) with the configuration in the environment (see README.md): the same as npm start,
without building the dashboard.`,
  worker: `usage: policykit worker

Migrates the database, then runs the jobs (re-checks of proposals, executions and reverts, the
outcomes of decisions, the periodic sweep) without the HTTP server. Any number of workers may run
on one PostgreSQL database; each job runs in one of them. SIGTERM lets the running jobs finish.`,
  jobs: `usage: policykit jobs list [--state queued|running|failed] [--limit N]
       policykit jobs retry ID

Lists the jobs of the configured queue (pg-boss on PostgreSQL, the job table on SQLite), or runs
a failed one (pg-boss: dead-lettered) again.`,
  migrate: `usage: policykit migrate

Applies the database migrations that have not run yet, prints which, and exits.`,
  sandbox: `usage: policykit sandbox FILE…

Runs each FILE as the body of a policy block in the sandbox the engine uses (same limits, an
empty context with PASSED, FAILED, PROPOSED and logger) and prints one JSON line per file.`,
  kits: `usage: policykit kits

Lists the starter kits a community can be created with (policykit community create --kit).`,
  slack: `usage: policykit slack manifest

Prints the Slack app manifest for POLICYKIT_PUBLIC_URL (redirect URLs, scopes, events,
interactivity URL): paste it into Create New App › From an app manifest.`,
}

/** The version in package.json, for `policykit --version`. */
export function cliVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8')
  return z.object({ version: z.string() }).parse(JSON.parse(text)).version
}
