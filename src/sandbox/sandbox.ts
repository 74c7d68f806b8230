import type { JsonValue } from '../domain/json.ts'

export type SandboxErrorKind = 'syntax' | 'runtime' | 'timeout' | 'memory' | 'stack' | 'host_call_budget'

export interface SandboxError {
  kind: SandboxErrorKind
  message: string
  /** The block (or file) name the code ran as. */
  block: string
  /** 1-based line within the block body, when known. */
  line?: number
  /**
   * A wall-clock `timeout` that is the server's doing, not the policy's: the run spent at least
   * half its time waiting for host calls (the database, platforms), or was still going on, short
   * of its CPU time, when the machine had kept it waiting five times its limit.
   */
  hostBound?: true
}

export type SandboxResult = { ok: true; value: JsonValue | undefined } | { ok: false; error: SandboxError }

/**
 * A function policy code may call. It runs on the main thread, receives plain data (JSON values)
 * and returns plain data or a promise of it; the author calls it as if it were synchronous either
 * way. An AppError it throws reaches the author as an Error with the same message.
 */
export type HostFunction = (...args: JsonValue[]) => JsonValue | undefined | Promise<JsonValue | undefined>

export interface SandboxLimits {
  /** Time inside QuickJS before its interrupt handler stops the run (host calls excluded). */
  cpuMs: number
  /**
   * Wall-clock time for the whole run, host calls included: past it the worker running the
   * block is terminated (what stops loops inside QuickJS's C code) and replaced, unless the
   * guest is still going on (a busy machine kept it waiting): then up to five times it.
   */
  wallMs: number
  /** QuickJS heap limit in bytes (the WebAssembly.Memory cap is the hard backstop). */
  memoryBytes: number
  stackBytes: number
  hostCalls: number
}

export const defaultLimits: SandboxLimits = {
  cpuMs: 250,
  wallMs: 1000,
  memoryBytes: 32 * 1024 * 1024,
  stackBytes: 256 * 1024,
  hostCalls: 1000,
}

export interface BlockRun {
  /** Reported in errors: `filter`, `check`, a file name… */
  block: string
  /** The body of a function: `return` gives the value; `await` is allowed and harmless. */
  code: string
  /** Plain data put in scope by name (`action`, `policy`, `variables`…). */
  globals?: Record<string, JsonValue>
  /**
   * Host functions by dotted path: `'proposal.getYesVotes'` becomes a method on the `proposal`
   * global (created if missing), `'slack.postMessage'` one on `slack`.
   */
  functions?: Record<string, HostFunction>
  /**
   * More host functions by dotted path, for those that go over the network (platform calls).
   * The same as `functions` since every host call is performed on the main thread while the
   * worker waits; kept apart for callers that list them separately.
   */
  asyncFunctions?: Record<string, HostFunction>
  /**
   * What some host functions answer, known beforehand, by dotted path and then by the JSON text
   * of the arguments (`'[]'` for none): such a call is answered inside the sandbox with no trip
   * to the host. Only for functions whose answer cannot change during the run (the proposal's
   * votes, read once per evaluation, say); the function must still be in `functions`.
   */
  answers?: Record<string, Record<string, JsonValue | undefined>>
  /** `Date.now()` / `new Date()` inside the run; fixed for the run so it can be replayed. */
  now?: number
  /** Seed of `Math.random` inside the run. */
  randomSeed?: number
  limits?: Partial<SandboxLimits>
  /**
   * The caller has other work to do while this runs (the sweep, with another proposal to read):
   * the calling thread does not wait awake for the result, and such runs take turns, one at a
   * time, so that they keep going to the thread that has just run one, still awake.
   */
  background?: boolean
}

/** Runs untrusted policy code off the main thread; no run sees anything an earlier one did. */
export interface Sandbox {
  run(request: BlockRun): Promise<SandboxResult>
  /**
   * Parses a block as `run` would, running none of it: the syntax error (with its block and
   * line) or null. For checking policy code before it is saved.
   */
  compile(block: string, code: string): Promise<SandboxError | null>
  close(): Promise<void>
}

/** `sandbox` with every run in the background (`BlockRun.background`). */
export function inBackground(sandbox: Sandbox): Sandbox {
  return {
    run: (request) => sandbox.run({ ...request, background: true }),
    compile: (block, code) => sandbox.compile(block, code),
    close: () => sandbox.close(),
  }
}
